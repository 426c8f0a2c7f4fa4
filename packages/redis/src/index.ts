/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures, building blocks and types for test files.
export { type ClientOptions, closeClient, redisClient } from './client.js'
export { type RedisConnection, type RedisFound, redactedUrl, redisEnv, redisUrl } from './connection.js'
export { type RedisFixtures, redisFixtures, test } from './fixtures.js'
export { removeKeys, testPrefix } from './keys.js'
export { type RedisScope, type RedisScopeOptions, testRedisScope } from './test-scope.js'

declare module '@testbed/core' {
  interface TestbedServices {
    redis: true
    /** `redisServerBinary()`: `redis-server` on this machine */
    redis_server: true
  }
}
