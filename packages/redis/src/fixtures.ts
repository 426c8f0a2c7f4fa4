import { useConnection } from '@testbed/core'
import type { Redis } from 'ioredis'
import { test as base, type TestContext } from 'vitest'
import { closeClient, redisClient } from './client.js'
import type { RedisConnection } from './connection.js'
import { removeKeys, testPrefix } from './keys.js'

export interface RedisFixtures {
  /** The server (connection info), once the test is known to be marked `requires_redis`. */
  redisConfig: RedisConnection
  /**
   * An ioredis client whose keys carry this test's own prefix (`keyPrefix`, `redis.options.keyPrefix`);
   * every key under it is removed after the test.
   */
  redis: Redis
}

/**
 * The run's Redis for a test marked `requires_redis` (skips or fails it otherwise): a building block
 * to add Redis to another plugin's `test`: `postgresTest.extend('redisConfig', redisFor)`.
 */
export async function redisFor({ task, skip }: Pick<TestContext, 'task' | 'skip'>): Promise<RedisConnection> {
  return useConnection<RedisConnection>({ task, skip }, 'redis', 'redisConfig')
}

// Each fixture a test may name asks for the service under its own name, never through another
// fixture: the advice for a test without its marker then names the fixture the test used.
export const test = base
  .extend('redisConfig', redisFor)
  .extend('redis', async ({ task, skip }, { onCleanup }) => {
    const redisConfig = await useConnection<RedisConnection>({ task, skip }, 'redis', 'redis')
    const keyPrefix = testPrefix()
    const client = redisClient(redisConfig, { keyPrefix })
    onCleanup(async () => {
      // A client without the prefix: SCAN MATCH sees the keys' full names.
      const raw = redisClient(redisConfig)
      try {
        await removeKeys(raw, keyPrefix)
      } finally {
        await Promise.all([closeClient(client), closeClient(raw)])
      }
    })
    return client
  })
