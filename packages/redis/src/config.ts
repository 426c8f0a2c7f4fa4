// Node-side API: the service definition for vitest.workspace.ts.
export type { RedisConnection } from './connection.js'
export { type RedisOptions, redis } from './service.js'
