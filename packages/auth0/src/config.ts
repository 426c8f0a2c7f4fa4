// Node-side API: the service definition for vitest.workspace.ts.
export type { Auth0Connection, Auth0EnvNames, Auth0Found } from './connection.js'
export { MOCK_TENANT } from './providers/embedded.js'
export { type Auth0Options, auth0 } from './service.js'
