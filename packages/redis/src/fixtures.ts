import { defineFixtureSet, type FixtureSet, useConnection } from '@testbed/core'
import type { Redis } from 'ioredis'
import { test as base } from 'vitest'
import type { RedisConnection } from './connection.js'
import { testRedisScope } from './test-scope.js'

export interface RedisFixtures {
  /** The server (connection info), once the test is known to be marked `requires_redis`. */
  redisConnection: RedisConnection
  /**
   * An ioredis client whose keys carry this test's own prefix (`keyPrefix`, `redis.options.keyPrefix`);
   * every key under it is removed after the test.
   */
  redis: Redis
}

/**
 * Redis's fixtures, added to any `test`: `composeFixtures(vitestTest, postgresFixtures, redisFixtures)`.
 * Each fixture a test may name asks for the service under its own name, never through another
 * fixture: the advice for a test without its marker then names the fixture the test used.
 */
export const redisFixtures: FixtureSet<RedisFixtures> = defineFixtureSet((test) =>
  test
    .extend('redisConnection', async ({ task, skip }) =>
      useConnection<RedisConnection>({ task, skip }, 'redis', 'redisConnection'),
    )
    .extend('redis', async ({ task, skip }, { onCleanup }) => {
      const connection = await useConnection<RedisConnection>({ task, skip }, 'redis', 'redis')
      const scope = await testRedisScope(connection)
      onCleanup(() => scope.release())
      return scope.client
    }),
)

/** Vitest's `test` with Redis's fixtures. */
export const test = redisFixtures(base)
