import { describe, expect } from 'vitest'
import { closeClient, redisClient, test, testRedisScope } from '../src/index.ts'

describe('testRedisScope, the building block of the redis fixture', {
  tags: ['requires_redis', 'tier2'],
}, () => {
  test('a label goes into the prefix; release removes its keys and closes the client, once', async ({
    redisConnection,
    redis,
  }) => {
    const notes = await testRedisScope(redisConnection, { label: 'notes' })
    expect(notes.keyPrefix).toMatch(/^testbed:notes:w\d+-[0-9a-f]{6}-[0-9a-z]+:$/)
    expect(notes.client.options.keyPrefix).toBe(notes.keyPrefix)
    await notes.client.set('k', 'notes')
    await redis.set('k', 'mine')
    await notes.release()
    await notes.release()
    await expect(notes.client.get('k')).rejects.toThrow('Connection is closed.')
    const raw = redisClient(redisConnection)
    try {
      expect(await raw.keys(`${notes.keyPrefix}*`)).toEqual([])
    } finally {
      await closeClient(raw)
    }
    expect(await redis.get('k')).toBe('mine') // the fixture's own scope is another prefix
  })

  test('two scopes of one test have prefixes of their own', async ({ redisConnection }) => {
    const [a, b] = await Promise.all([testRedisScope(redisConnection), testRedisScope(redisConnection)])
    expect(a.keyPrefix).not.toBe(b.keyPrefix)
    await Promise.all([a.release(), b.release()])
  })
})
