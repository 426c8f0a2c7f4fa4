import { describe, expect, test } from 'vitest'
import { closeClient, redisClient } from '../src/client.ts'
import { redactedUrl } from '../src/connection.ts'
import { ready, startRedis } from './start-redis.ts'

describe('a server that dies mid-run', { tags: ['tier2', 'requires_redis_server'] }, () => {
  test('the next command names the server, and the run still stops cleanly', async () => {
    const started = await startRedis({ TESTBED_REDIS_PROVIDERS: 'binary' })
    const c = ready(started)
    const client = redisClient(c, { keyPrefix: 'testbed:dies:' })
    try {
      expect(await client.set('before', '1')).toBe('OK')
      // The server goes away under the test (no reply: the connection just closes).
      await client.call('SHUTDOWN', 'NOSAVE').catch(() => {})
      const failure = await client.get('before').then(
        () => undefined,
        (error: Error) => error,
      )
      expect(failure?.message).toBe(`Connection is closed. (redis at ${redactedUrl(c)})`)
      expect(failure?.message).not.toContain(c.password)
    } finally {
      await closeClient(client)
    }
    await expect(started.hub.stopAll()).resolves.toBeUndefined()
  })
})
