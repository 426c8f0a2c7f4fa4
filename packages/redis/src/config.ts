// Node-side API: the service definition for vitest.workspace.ts.
export { redisServerBinary } from './binaries.js'
export type { RedisConnection, RedisFound } from './connection.js'
export { type RedisOptions, redis } from './service.js'
