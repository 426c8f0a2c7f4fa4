import { fileURLToPath } from 'node:url'
import { runVitest } from '@testbed/test-support/run-vitest'
import { Redis } from 'ioredis'
import { describe, expect, test as vitestTest } from 'vitest'
import { test } from '../src/index.ts'

let previousPrefix: string | undefined

/** A client without any prefix, as code outside the test sees the server. */
async function raw<T>(url: string, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { lazyConnect: true })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.quit()
  }
}

describe('the redis fixture', { tags: ['requires_redis', 'tier2'] }, () => {
  test('prefixes every key with the test’s own prefix', async ({ redis, redisConnection }) => {
    const prefix = redis.options.keyPrefix as string
    expect(prefix).toMatch(/^testbed:w\d+-[0-9a-f]{6}-[0-9a-z]+:$/)
    await redis.set('user:1', 'ada')
    await redis.hset('profile:1', { name: 'ada' })
    await redis.lpush('queue', 'a', 'b')
    expect(await redis.get('user:1')).toBe('ada')
    // Outside the test the keys carry the prefix.
    const keys = await raw(redisConnection.url, (client) => client.keys(`${prefix}*`))
    expect(keys.sort()).toEqual([`${prefix}profile:1`, `${prefix}queue`, `${prefix}user:1`])
    expect(process.env.REDIS_URL).toBe(redisConnection.url)
    previousPrefix = prefix
  })

  test('removes them after the test', async ({ redis, redisConnection }) => {
    expect(previousPrefix).toBeDefined()
    expect(redis.options.keyPrefix).not.toBe(previousPrefix)
    const left = await raw(redisConnection.url, (client) => client.keys(`${previousPrefix}*`))
    expect(left).toEqual([])
    // Nor does this test see what the previous one wrote.
    expect(await redis.get('user:1')).toBeNull()
  })
})

describe('keys the tests did not write', { tags: ['requires_redis', 'tier2'] }, () => {
  const outside = `outside-testbed:${process.pid}:${Date.now()}`

  test('a key written without the prefix…', async ({ redis, redisConnection }) => {
    await raw(redisConnection.url, (client) => client.set(outside, 'keep me'))
    // Even one that looks like a test's key, but is not under this test's prefix.
    await redis.set('mine', '1')
    expect(await redis.exists(outside)).toBe(0)
  })

  test('…is untouched by the cleanup', async ({ redisConnection }) => {
    const value = await raw(redisConnection.url, async (client) => {
      const v = await client.get(outside)
      await client.del(outside)
      return v
    })
    expect(value).toBe('keep me')
  })
})

vitestTest(
  'a fixture used without the marker fails with advice naming that fixture',
  { tags: ['tier2'] },
  async () => {
    const run = await runVitest({ fixture: fileURLToPath(new URL('./fixtures/unmarked', import.meta.url)) })
    for (const fixture of ['redisConnection', 'redis']) {
      const name = `uses ${fixture} unmarked`
      expect(run.status(name)).toBe('failed')
      expect(run.tests.find((t) => t.fullName.endsWith(name))?.failureMessages.join('\n')).toContain(
        `'${name}' uses the redis fixture '${fixture}' but is not marked requires_redis. Add { tags: ['requires_redis'] }`,
      )
    }
    expect(run.stderr).not.toContain('redis ready') // nothing was started for tests that may not use it
  },
)
