import { describe, expect, test } from 'vitest'
import { redactedUrl, redisEnv } from '../src/connection.ts'
import { fromUrl } from '../src/providers/env.ts'

describe('REDIS_URL', { tags: ['tier1'] }, () => {
  test('gives host, port, password and db, with defaults', () => {
    expect(fromUrl('redis://:s%40cret@cache.internal:6380/2')).toEqual({
      host: 'cache.internal',
      port: 6380,
      username: undefined,
      password: 's@cret',
      passwordSource: 'REDIS_URL',
      db: 2,
      tls: undefined,
      url: 'redis://:s%40cret@cache.internal:6380/2',
    })
    expect(fromUrl('redis://localhost')).toMatchObject({ port: 6379, password: '', db: 0 })
    expect(fromUrl('redis://localhost').url).toBe('redis://localhost:6379/0')
  })

  test('an ACL user, IPv6, TLS', () => {
    const c = fromUrl('rediss://app:pw@[::1]:7000/1')
    expect(c).toMatchObject({ host: '::1', port: 7000, username: 'app', password: 'pw', db: 1, tls: true })
    expect(c.url).toBe('rediss://app:pw@[::1]:7000/1')
    expect(redactedUrl(c)).toBe('rediss://app:***@[::1]:7000/1')
  })

  test('the exported variables, and an endpoint without the password', () => {
    const c = fromUrl('redis://:pw@10.0.0.5:6379/0')
    expect(redisEnv(c)).toEqual({
      REDIS_URL: 'redis://:pw@10.0.0.5:6379/0',
      DRAGONFLY_HOST: '10.0.0.5',
      DRAGONFLY_PORT: '6379',
    })
    expect(redactedUrl(c)).toBe('redis://:***@10.0.0.5:6379/0')
  })
})
