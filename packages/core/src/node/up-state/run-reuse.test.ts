// Whether a run trusts the state file of `testbed up --detach`: a real control endpoint (an HTTP
// server answering as the `up` process does) and real files in a temp checkout.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { ServiceStatus } from '../../shared/service-status.ts'
import { defineService } from '../define-service.ts'
import { ServiceHub } from '../service-hub.ts'
import { upReuse } from './run-reuse.ts'
import { STATE_FILE, statePath, type UpState, writeState } from './state-file.ts'

let root: string
const servers: Server[] = []
const hubs: ServiceHub[] = []
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'testbed-up-')))
})
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.stopAll()))
  for (const server of servers.splice(0)) server.close()
  rmSync(root, { recursive: true, force: true })
})

/** A control endpoint that answers `GET /status` with `answer` to the right token, 401 otherwise. */
async function controlEndpoint(token: string, answer: () => object): Promise<string> {
  const server = createServer((req, res) => {
    const ok = req.url === '/status' && req.headers.authorization === `Bearer ${token}`
    res
      .writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
      .end(JSON.stringify(ok ? answer() : {}))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}

function state(url: string, overrides: Partial<UpState> = {}): UpState {
  return {
    version: 1,
    checkout: root,
    pid: process.pid,
    control: { url, token: 'the-token' },
    startedAt: '2026-12-01T13:40:00.000Z',
    services: [
      {
        name: 'demo',
        provider: 'binary',
        detail: 'from /usr/bin',
        found: { url: 'http://demo.invalid' },
        endpoint: 'http://demo.invalid',
        env: { DEMO_URL: 'http://demo.invalid' },
        since: '2026-12-01T13:40:01.000Z',
      },
    ],
    ...overrides,
  }
}

const live = async () =>
  state(await controlEndpoint('the-token', () => ({ pid: process.pid, checkout: root })))

describe('a run and the state file of testbed up', { tags: ['tier1'] }, () => {
  test('none: nothing offered, nothing said', async () => {
    expect(await upReuse(root, {})).toEqual({})
  })

  test('a live up of this checkout is offered, and says what', async () => {
    await writeState(root, await live())
    const reuse = await upReuse(root, {})
    expect(reuse.state?.services.map((s) => s.name)).toEqual(['demo'])
    expect(reuse.note).toBe(
      `services of testbed up (pid ${process.pid}, since 2026-12-01T13:40:00.000Z) offered: demo`,
    )
  })

  test('TESTBED_UP=off never uses it; in CI only TESTBED_UP=use does', async () => {
    await writeState(root, await live())
    expect(await upReuse(root, { TESTBED_UP: 'off' })).toEqual({})
    const ci = await upReuse(root, { CI: 'true' })
    expect(ci.state).toBeUndefined()
    expect(ci.note).toBe(
      `not used in CI: ${STATE_FILE} is there, but a CI run uses it only with TESTBED_UP=use`,
    )
    expect((await upReuse(root, { CI: 'true', TESTBED_UP: 'use' })).state).toBeDefined()
    await expect(upReuse(root, { TESTBED_UP: 'yes' })).rejects.toThrow(
      'TESTBED_UP must be auto, use or off, not "yes"',
    )
  })

  test('a corrupt file is not trusted, and the note names the file and what is wrong', async () => {
    mkdirSync(dirname(statePath(root)))
    writeFileSync(statePath(root), '{"version": 1, "pid": ')
    const corrupt = await upReuse(root, {})
    expect(corrupt.state).toBeUndefined()
    expect(corrupt.note).toMatch(new RegExp(`^not used: ${statePath(root)} is corrupt: it is not JSON \\(`))
    writeFileSync(statePath(root), JSON.stringify({ ...state('http://x'), services: [{ name: 'demo' }] }))
    expect((await upReuse(root, {})).note).toBe(
      `not used: ${statePath(root)} is corrupt: services[0] needs a "name" and a "provider" (npx testbed down removes it)`,
    )
  })

  test('stale: a process that is gone, a wrong token, another checkout, another process answering', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number
    await writeState(root, state('http://127.0.0.1:9', { pid: gone }))
    expect((await upReuse(root, {})).note).toBe(
      `not used: ${STATE_FILE} is stale: its process (pid ${gone}) is gone (npx testbed down removes it)`,
    )
    const url = await controlEndpoint('another-token', () => ({ pid: process.pid, checkout: root }))
    await writeState(root, state(url))
    expect((await upReuse(root, {})).note).toMatch(
      /is stale: its process \(pid \d+\) refused its token \(HTTP 401\)/,
    )
    await writeState(root, { ...(await live()), checkout: '/elsewhere' })
    expect((await upReuse(root, {})).note).toContain(
      `is stale: it was written for another checkout (/elsewhere), not ${root}`,
    )
    const other = await controlEndpoint('the-token', () => ({ pid: 1, checkout: root }))
    await writeState(root, state(other))
    expect((await upReuse(root, {})).note).toContain(`is stale: another process (pid 1) answers at ${other}`)
  })
})

describe('the hub with services of testbed up', { tags: ['tier1'] }, () => {
  const demo = (started: string[]) =>
    defineService<{ url: string }>({
      name: 'demo',
      providers: [
        {
          kind: 'embedded',
          async start() {
            started.push('embedded')
            return { connection: { url: 'http://embedded.invalid' } }
          },
        },
      ],
      endpoint: ({ url }) => url,
      env: ({ url }) => ({ DEMO_URL: url }),
    })

  async function ensure(reuseState: UpState | undefined, env: Record<string, string> = {}) {
    const started: string[] = []
    const saved = { ...process.env }
    Object.assign(process.env, env)
    try {
      const hub = new ServiceHub()
      hubs.push(hub)
      hub.offerUp(reuseState ? { state: reuseState } : {})
      hub.register(demo(started))
      const status = (await hub.ensure(['demo'])).demo as ServiceStatus
      return { hub, status, started }
    } finally {
      for (const key of Object.keys(env)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  }

  test('a service up holds comes from it, first, and is provisioned as any other; a restart is refused', async () => {
    const { hub, status, started } = await ensure(state('http://127.0.0.1:9'))
    expect(started).toEqual([])
    expect(status).toMatchObject({
      state: 'ready',
      provider: 'up',
      connection: { url: 'http://demo.invalid' },
      env: { DEMO_URL: 'http://demo.invalid' },
      detail: `testbed up, pid ${process.pid}, since 2026-12-01T13:40:01.000Z (binary: from /usr/bin)`,
    })
    await expect(hub.restart('demo')).rejects.toThrow(
      /^demo comes from testbed up \(testbed up, pid \d+, .*\): this run did not start it, so it cannot restart it$/,
    )
  })

  test('a service up does not hold starts as usual; a provider list without up leaves it out', async () => {
    const none = await ensure(state('http://x', { services: [] }))
    expect(none.status).toMatchObject({ state: 'ready', provider: 'embedded' })
    const narrowed = await ensure(state('http://x'), { TESTBED_DEMO_PROVIDERS: 'embedded' })
    expect(narrowed.status).toMatchObject({ state: 'ready', provider: 'embedded' })
    const named = await ensure(undefined, { TESTBED_DEMO_PROVIDERS: 'up,embedded' })
    expect(named.status).toMatchObject({ state: 'ready', provider: 'embedded' })
    expect(named.status.attempts[0]).toMatchObject({
      provider: 'up',
      outcome: 'skipped',
      reason: 'no testbed up of this checkout is running',
    })
  })
})
