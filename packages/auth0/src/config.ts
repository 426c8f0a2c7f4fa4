// Node-side API: the service definition for vitest.workspace.ts.
export type { Auth0Connection, Auth0EnvNames } from './connection.js'
export { type Auth0Options, auth0, MOCK_TENANT } from './service.js'
