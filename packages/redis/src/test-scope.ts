import type { Redis } from 'ioredis'
import { closeClient, redisClient } from './client.js'
import type { RedisConnection } from './connection.js'
import { removeKeys, testPrefix } from './keys.js'

/** A key prefix of one test's own, and a client that writes under it. */
export interface RedisScope {
  /** `testbed:<id>:`, or `testbed:<label>:<id>:` given a label; `<id>` is no other test's. */
  keyPrefix: string
  /** An ioredis client with `keyPrefix` set: every key it names carries the prefix. */
  client: Redis
  /** Removes every key under the prefix and closes the client; calling it again does nothing. */
  release(): Promise<void>
}

export interface RedisScopeOptions {
  /** Put into the prefix, to tell two scopes of one test apart: `{ label: 'notes' }`. */
  label?: string
}

/**
 * A key prefix no other test uses, with a client that writes under it: what the `redis` fixture
 * gives (its `client`). `release()` removes the keys with SCAN MATCH and UNLINK through a second
 * client without the prefix (never FLUSHDB), then closes both.
 */
export async function testRedisScope(
  connection: RedisConnection,
  options: RedisScopeOptions = {},
): Promise<RedisScope> {
  const keyPrefix = testPrefix(options.label)
  const client = redisClient(connection, { keyPrefix })
  let released: Promise<void> | undefined
  const release = async () => {
    // A client without the prefix: SCAN MATCH sees the keys' full names.
    const raw = redisClient(connection)
    try {
      await removeKeys(raw, keyPrefix)
    } finally {
      await Promise.all([closeClient(client), closeClient(raw)])
    }
  }
  return {
    keyPrefix,
    client,
    release: () => {
      released ??= release()
      return released
    },
  }
}
