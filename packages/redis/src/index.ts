/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures and types for test files.
export { closeClient, redisClient } from './client.js'
export { connectionEnv, connectionUrl, type RedisConnection } from './connection.js'
export { type RedisFixtures, redisFor, test } from './fixtures.js'
export { removeKeys, testPrefix } from './keys.js'

declare module '@testbed/core' {
  interface TestbedServices {
    redis: true
    /** `redisServerBinary()`: `redis-server` on this machine */
    redis_server: true
  }
}
