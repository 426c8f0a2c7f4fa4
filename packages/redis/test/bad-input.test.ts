import { freePort } from '@testbed/core/config'
import { describe, expect, test } from 'vitest'
import { outsideServer } from './outside-server.ts'
import { reasonOf, startRedis, stopAndCheck } from './start-redis.ts'

describe('bad input gets one clear error, and nothing is left running', {
  tags: ['tier2', 'requires_redis_server'],
}, () => {
  test('REDIS_URL naming a closed port: refused at once, not waited for', async () => {
    const port = await freePort()
    const started = await startRedis({ REDIS_URL: `redis://:pw@127.0.0.1:${port}/0` })
    expect(reasonOf(started)).toBe(`redis unavailable: env: connect ECONNREFUSED 127.0.0.1:${port}`)
    // The explicit setting is authoritative: no other provider was tried in its place.
    expect(started.status.attempts.map((a) => a.provider)).toEqual(['env'])
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('a wrong password', async () => {
    const { port } = await outsideServer('the-right-one')
    const started = await startRedis({ REDIS_URL: `redis://:not-it-at-all@127.0.0.1:${port}` })
    expect(reasonOf(started)).toBe(
      `redis unavailable: env: 127.0.0.1:${port} refused the password from REDIS_URL: WRONGPASS invalid username-password pair or user is disabled.`,
    )
    expect(reasonOf(started)).not.toContain('not-it-at-all')
    expect(reasonOf(started)).not.toContain('the-right-one')
    const none = await startRedis({ REDIS_URL: `redis://127.0.0.1:${port}` })
    expect(reasonOf(none)).toBe(
      `redis unavailable: env: 127.0.0.1:${port} refused no password (REDIS_URL gives none): NOAUTH authentication required`,
    )
    expect(await stopAndCheck(started)).toEqual([])
    expect(await stopAndCheck(none)).toEqual([])
  })

  test('a malformed REDIS_URL', async () => {
    const started = await startRedis({ REDIS_URL: 'redis://:secret@:6379/0' })
    expect(reasonOf(started)).toBe(
      'redis unavailable: env: REDIS_URL is not a valid Redis URL: it names no host ("redis://:***@:6379/0")',
    )
    const other = await startRedis({ REDIS_URL: 'http://localhost:6379' })
    expect(reasonOf(other)).toBe(
      'redis unavailable: env: REDIS_URL is not a valid Redis URL: it must start with redis:// or rediss:// ("http://localhost:6379")',
    )
    const emptyPort = await startRedis({ REDIS_URL: 'redis://127.0.0.1:/0' })
    expect(reasonOf(emptyPort)).toBe(
      'redis unavailable: env: REDIS_URL is not a valid Redis URL: its port is empty ("redis://127.0.0.1:/0")',
    )
    const db = await startRedis({ REDIS_URL: 'redis://localhost:6379/cache' })
    expect(reasonOf(db)).toBe(
      'redis unavailable: env: REDIS_URL is not a valid Redis URL: the database must be a number, not "cache"',
    )
    expect(started.status.attempts.map((a) => a.provider)).toEqual(['env'])
    for (const s of [started, other, emptyPort, db]) expect(await stopAndCheck(s)).toEqual([])
  })

  test('redis-server missing from PATH', async () => {
    const started = await startRedis({ TESTBED_REDIS_PROVIDERS: 'binary', PATH: '/nonexistent' })
    expect(reasonOf(started)).toBe('redis unavailable: binary: redis-server is not on PATH')
    expect(await stopAndCheck(started)).toEqual([])
  })
})
