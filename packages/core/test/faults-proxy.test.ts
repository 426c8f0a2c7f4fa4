import { type FaultProxy, faultsFixtures } from '@testbed/core'
import { eventually } from '@testbed/test-support/eventually'
import { afterAll, beforeAll, describe, expect, test as vitestTest } from 'vitest'
import {
  type Client,
  connectClient,
  type EchoServer,
  listeningPorts,
  startEchoServer,
} from './faults-support.ts'

const test = faultsFixtures(vitestTest)

let echo: EchoServer
beforeAll(async () => {
  echo = await startEchoServer()
})
afterAll(() => echo.close())

describe('a fault proxy in front of a real server', { tags: ['tier1'] }, () => {
  test('forwards both ways; its url is the target’s with host:port replaced', async ({ faults }) => {
    const proxy = await faults.proxy(`postgres://app:secret@127.0.0.1:${echo.port}/db?sslmode=disable`)
    expect(proxy.host).toBe('127.0.0.1')
    expect(proxy.port).not.toBe(echo.port)
    expect(proxy.url).toBe(`postgres://app:secret@127.0.0.1:${proxy.port}/db?sslmode=disable`)
    const byHostPort = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    expect(byHostPort.url).toBe(`tcp://127.0.0.1:${byHostPort.port}`)
    for (const p of [proxy, byHostPort]) {
      const client = await connectClient(p.port)
      client.socket.write('hello')
      expect(await client.bytes(5)).toBe('hello')
    }
    expect(proxy.stats).toMatchObject({ connections: 1, open: 1, bytesToTarget: 5, bytesToClient: 5 })
  })

  test('latency delays each reply by at least its amount, jitter never reorders a stream', async ({
    faults,
  }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    const client = await connectClient(proxy.port)
    proxy.latency(150, { jitter: 50 })
    const sent = performance.now()
    for (const letter of 'abcdefghij') client.socket.write(letter)
    expect(await client.bytes(10)).toBe('abcdefghij')
    // A lower bound only: a loaded machine makes the reply later, never earlier. Two hops, each ≥ 100 ms.
    expect(performance.now() - sent).toBeGreaterThanOrEqual(195)
    proxy.restore()
    client.socket.write('k')
    expect(await client.bytes(11)).toBe('abcdefghijk')
  })

  test('bandwidth delivers at most its share of a second per tick', async ({ faults }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    proxy.bandwidth(2000) // 200 bytes per 100 ms tick
    const client = await connectClient(proxy.port)
    const payload = 'x'.repeat(1000)
    client.socket.write(payload)
    expect(await client.bytes(1000)).toBe(payload)
    expect(proxy.stats.largestTickBytes).toBeLessThanOrEqual(200)
    expect(proxy.stats.bandwidthTicks).toBeGreaterThanOrEqual(10) // 5 ticks each way at least
  })

  test('cut closes every connection, and new ones until restore()', async ({ faults }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    const clients = [await connectClient(proxy.port), await connectClient(proxy.port)]
    await eventually(() => proxy.stats.open === 2, 'both connections open')
    proxy.cut()
    expect(await Promise.all(clients.map((c) => c.ended))).toEqual(['close', 'close'])
    const whileCut = await connectClient(proxy.port).then(
      (c) => c.ended,
      (error: Error) => error.message,
    )
    expect(whileCut).toBe('close')
    proxy.restore()
    const after = await connectClient(proxy.port)
    after.socket.write('back')
    expect(await after.bytes(4)).toBe('back')
  })

  test('reset sends a RST: the client sees ECONNRESET', async ({ faults }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    const client = await connectClient(proxy.port)
    client.socket.write('x')
    await client.bytes(1)
    proxy.reset()
    expect(await client.ended).toBe('ECONNRESET')
    proxy.restore()
    const after = await connectClient(proxy.port)
    after.socket.write('y')
    expect(await after.bytes(1)).toBe('y')
  })

  test('blackhole accepts and reads, forwards nothing either way', async ({ faults }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    const client = await connectClient(proxy.port)
    const before = echo.received()
    proxy.blackhole()
    client.socket.write('lost')
    await eventually(() => proxy.stats.bytesDropped === 4, 'the proxy read the 4 bytes')
    expect(echo.received()).toBe(before)
    expect(client.text()).toBe('')
    expect(client.socket.destroyed).toBe(false)
    proxy.restore()
    client.socket.write('found')
    expect(await client.bytes(5)).toBe('found')
  })

  test('pause holds every byte until resume() delivers them, in order', async ({ faults }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    const client = await connectClient(proxy.port)
    client.socket.write('a')
    await client.bytes(1)
    proxy.pause()
    client.socket.write('bc')
    await eventually(() => proxy.stats.bytesHeld === 2, 'the proxy holds the 2 bytes')
    expect(proxy.stats.bytesToTarget).toBe(1)
    expect(client.text()).toBe('a')
    proxy.resume()
    expect(await client.bytes(3)).toBe('abc')
  })

  test('limit closes a connection once it carried that many bytes (both ways together)', async ({
    faults,
  }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    proxy.limit(15)
    const client = await connectClient(proxy.port)
    client.socket.write('helloworld') // 10 bytes there, then 5 of the 10 back
    expect(await client.ended).toBe('close')
    expect(client.text()).toBe('hello')
    expect(proxy.stats.bytesToTarget + proxy.stats.bytesToClient).toBe(15)
  })
})

describe('a proxy lasts one test', { tags: ['tier1'] }, () => {
  let left: { proxy: FaultProxy; client: Client } | undefined
  test('a test leaves a proxy paused, with a connection open', async ({ faults }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    const client = await connectClient(proxy.port)
    proxy.pause()
    left = { proxy, client }
  })

  test('the next test: that connection is closed, nothing listens on its port', async () => {
    const { proxy, client } = left as NonNullable<typeof left>
    expect(await client.ended).toBe('close')
    expect(listeningPorts()).not.toContain(proxy.port)
    await expect(connectClient(proxy.port)).rejects.toThrow('ECONNREFUSED')
  })
})

describe('bad input is refused plainly, and nothing is left listening', { tags: ['tier1'] }, () => {
  const cases: Array<[string, unknown, string]> = [
    ['not a URL', 'localhost:5432', '"localhost:5432" is not a URL of a server'],
    ['a URL of no port', 'postgres://127.0.0.1/db', 'postgres://127.0.0.1 names no port'],
    ['a port out of range', { host: '127.0.0.1', port: 70_000 }, 'is 70000, not a port (1–65535)'],
    ['a port of 0', 'redis://127.0.0.1:0', 'is 0, not a port'],
    [
      'no host',
      { port: 5432 },
      'is not a URL of a server (such as postgres://user@host:5432/db) or { host, port }',
    ],
    ['a number', 5432, '5432 is not a URL'],
  ]
  for (const [what, target, message] of cases) {
    test(what, async ({ faults }) => {
      const before = listeningPorts()
      await expect(faults.proxy(target as never)).rejects.toThrow(message)
      expect(listeningPorts()).toEqual(before)
    })
  }

  test('controls refuse values that mean nothing, and leave the proxy as it was', async ({ faults }) => {
    const proxy = await faults.proxy({ host: '127.0.0.1', port: echo.port })
    expect(() => proxy.latency(-1)).toThrow(
      'proxy.latency: latency must be a number of milliseconds ≥ 0, not -1',
    )
    expect(() => proxy.latency(10, { jitter: Number.NaN })).toThrow('jitter must be')
    expect(() => proxy.bandwidth(0)).toThrow('proxy.bandwidth: bytes per second must be a number > 0, not 0')
    expect(() => proxy.limit(1.5)).toThrow('proxy.limit: bytes must be a whole number ≥ 0, not 1.5')
    const client = await connectClient(proxy.port)
    client.socket.write('fine')
    expect(await client.bytes(4)).toBe('fine')
  })
})
