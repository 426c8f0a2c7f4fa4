import { freePort } from '@testbed/core/config'
import { describe, expect, test } from 'vitest'
import { outsideServer, reasonOf, startNats, stopAndCheck } from './start-nats.ts'

const withSbin = { PATH: `${process.env.PATH}:/usr/sbin` }

describe('bad input gets one clear error, and nothing is left running', {
  tags: ['tier2', 'requires_nats_server'],
}, () => {
  test('NATS_URL on a closed port: refused at once, not waited for', async () => {
    const port = await freePort()
    const started = await startNats({ NATS_URL: `nats://127.0.0.1:${port}` })
    expect(started.status.state).toBe('unavailable')
    expect(reasonOf(started)).toBe(
      `nats unavailable: env: nats://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    )
    // The explicit setting is authoritative: no other provider was tried in its place.
    expect(started.status.attempts.map((a) => a.provider)).toEqual(['env'])
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('wrong credentials are refused at once, and the reason never shows them', async () => {
    const server = await outsideServer(['-js', '--user', 'app', '--pass', 'right-pass'])
    const started = await startNats({ NATS_URL: `nats://app:wrong-pass@127.0.0.1:${server.port}` })
    expect(reasonOf(started)).toBe(
      `nats unavailable: env: nats://app:***@127.0.0.1:${server.port} refused the credentials from NATS_URL: Authorization Violation`,
    )
    expect(reasonOf(started)).not.toMatch(/wrong-pass|right-pass/)
    const token = await startNats({ NATS_URL: `nats://127.0.0.1:${server.port}`, NATS_TOKEN: 'tok-secret' })
    expect(reasonOf(token)).toBe(
      `nats unavailable: env: nats://127.0.0.1:${server.port} (token from NATS_TOKEN) refused the credentials from NATS_TOKEN: Authorization Violation`,
    )
    expect(await stopAndCheck(started)).toEqual([])
    expect(await stopAndCheck(token)).toEqual([])
  })

  test('a server without JetStream is refused with advice', async () => {
    const server = await outsideServer([])
    const started = await startNats({ NATS_URL: `nats://127.0.0.1:${server.port}` })
    expect(reasonOf(started)).toBe(
      `nats unavailable: env: nats://127.0.0.1:${server.port} answers, but JetStream is not enabled there (start nats-server with -js)`,
    )
  })

  test('a malformed NATS_URL', async () => {
    const started = await startNats({ NATS_URL: 'nats://user:secret@:4222' })
    expect(reasonOf(started)).toBe(
      'nats unavailable: env: NATS_URL is not a valid NATS URL: it names no host ("nats://user:***@:4222")',
    )
    expect(started.status.attempts.map((a) => a.provider)).toEqual(['env'])
    const other = await startNats({ NATS_URL: 'http://localhost:4222' })
    expect(reasonOf(other)).toBe(
      'nats unavailable: env: NATS_URL is not a valid NATS URL: it must start with nats:// or tls:// ("http://localhost:4222")',
    )
    const tokenOnly = await startNats({ NATS_TOKEN: 'secret' })
    expect(reasonOf(tokenOnly)).toBe('nats unavailable: env: NATS_TOKEN is set but NATS_URL is not')
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('a stream the client or server rejects: provisioning fails with its words, the service is broken', async () => {
    const started = await startNats(
      { TESTBED_NATS_PROVIDERS: 'binary', ...withSbin },
      { streams: [{ name: 'BAD.NAME', subjects: ['bad.>'] }] },
    )
    expect(started.status.state).toBe('broken')
    expect(reasonOf(started)).toBe(
      "nats provisioning failed: stream BAD.NAME: stream name ('BAD.NAME') cannot contain '.'",
    )
    expect(await stopAndCheck(started)).toEqual([])
    const overlap = await startNats(
      { TESTBED_NATS_PROVIDERS: 'binary', ...withSbin },
      {
        streams: [
          { name: 'ORDERS', subjects: ['orders.>'] },
          { name: 'ALSO_ORDERS', subjects: ['orders.created'] },
        ],
      },
    )
    expect(overlap.status.state).toBe('broken')
    expect(reasonOf(overlap)).toBe(
      'nats provisioning failed: stream ALSO_ORDERS: subjects overlap with an existing stream',
    )
    expect(await stopAndCheck(overlap)).toEqual([])
  })

  test('nats-server missing from PATH', async () => {
    const started = await startNats({ TESTBED_NATS_PROVIDERS: 'binary', PATH: '/nonexistent' })
    expect(reasonOf(started)).toBe(
      'nats unavailable: binary: nats-server is not on PATH (Debian: apt install nats-server)',
    )
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('an unknown provider name in TESTBED_NATS_PROVIDERS', async () => {
    const started = await startNats({ TESTBED_NATS_PROVIDERS: 'binary,embedded' })
    expect(reasonOf(started)).toBe(
      'nats misconfigured: TESTBED_NATS_PROVIDERS names unknown provider(s) embedded; nats has: env, container, binary, and up (from testbed up)',
    )
  })
})
