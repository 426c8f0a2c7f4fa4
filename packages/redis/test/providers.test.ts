import { existsSync } from 'node:fs'
import { createConnection } from 'node:net'
import { containersOfThisProcess } from '@testbed/test-support/outside-process'
import { Redis } from 'ioredis'
import { describe, expect, test } from 'vitest'
import type { RedisConnection } from '../src/connection.ts'
import { probeRedis } from '../src/probe.ts'
import { outsideServer } from './outside-server.ts'
import { ready, startRedis, stopAndCheck } from './start-redis.ts'

/** A client of the connection, run through `fn`, then closed. */
async function withClient<T>(c: RedisConnection, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(c.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    await client.connect()
    return await fn(client)
  } finally {
    client.disconnect()
  }
}

/** Whether anything accepts a TCP connection there. */
function accepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('Redis providers, each against a real server', { tags: ['tier2', 'requires_redis_server'] }, () => {
  test('binary: redis-server from PATH, no persistence, a password, in a temp dir', async () => {
    const started = await startRedis({ TESTBED_REDIS_PROVIDERS: 'binary' })
    const c = ready(started)
    expect(started.status.state === 'ready' && started.status.provider).toBe('binary')
    expect(c).toMatchObject({ host: '127.0.0.1', db: 0, throwaway: true })
    expect(c.password).toMatch(/^tb-[0-9a-f]{24}$/)
    expect(c.url).toBe(`redis://:${c.password}@127.0.0.1:${c.port}/0`)
    const { dir, save, appendonly } = await withClient(c, async (client) => {
      expect(await client.set('greeting', 'hello')).toBe('OK')
      expect(await client.get('greeting')).toBe('hello')
      const config = async (name: string) => ((await client.config('GET', name)) as string[])[1]
      return { dir: await config('dir'), save: await config('save'), appendonly: await config('appendonly') }
    })
    expect({ save, appendonly }).toEqual({ save: '', appendonly: 'no' })
    expect(dir?.startsWith(started.tempRoot)).toBe(true)
    expect(existsSync(dir as string)).toBe(true)
    // Without the password the server refuses.
    await expect(probeRedis({ ...c, password: '' })).rejects.toThrow(/refused no password.*NOAUTH/)
    expect(await stopAndCheck(started)).toEqual([])
    expect(await accepts(c.port)).toBe(false)
    expect(existsSync(dir as string)).toBe(false)
  })

  test('env: an existing server named by REDIS_URL keeps running, and keeps its keys', async () => {
    const { port, url } = await outsideServer('outside-secret')
    const started = await startRedis({ REDIS_URL: url })
    const c = ready(started)
    expect(started.status.state === 'ready' && started.status.provider).toBe('env')
    expect(c).toMatchObject({ host: '127.0.0.1', port, password: 'outside-secret', db: 0, url })
    expect(c.throwaway).toBeUndefined()
    await withClient(c, (client) => client.set('outside:kept', 'yes'))
    expect(await stopAndCheck(started)).toEqual([])
    // The server is not ours: it still runs, with the test's key.
    expect(await withClient(c, (client) => client.get('outside:kept'))).toBe('yes')
  })

  test('container: @testcontainers/redis through a real Docker engine', {
    tags: ['requires_docker'],
  }, async () => {
    // No registry here: .ci/images/redis.sh builds this image locally from the machine's Redis.
    const image = process.env.TESTBED_REDIS_IMAGE ?? 'testbed/redis:7'
    const started = await startRedis(
      {
        TESTBED_REDIS_PROVIDERS: 'container',
        DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      },
      { container: { image } },
    )
    const c = ready(started)
    expect(started.status.state === 'ready' && started.status.provider).toBe('container')
    expect(c.throwaway).toBe(true)
    expect(
      await withClient(c, async (client) => {
        await client.set('in-container', '1')
        return client.get('in-container')
      }),
    ).toBe('1')
    expect(containersOfThisProcess()).toHaveLength(1)
    expect(await stopAndCheck(started)).toEqual([])
    expect(containersOfThisProcess()).toEqual([])
    expect(await accepts(c.port, c.host)).toBe(false)
  })
})
