// Node-side API: the service definition for vitest.workspace.ts.
import { hostBinaries } from '@testbed/core/config'

export type { RedisConnection } from './connection.js'
export { type RedisOptions, redis } from './service.js'

/** `redis-server` on this machine as a service: `requires_redis_server` for tests that run it directly. */
export function redisServerBinary() {
  return hostBinaries('redis_server', ['redis-server'])
}
