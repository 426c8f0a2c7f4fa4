import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, test } from 'vitest'
import { NotApplicable } from '../shared/errors.ts'
import { fetchEndpoint } from '../shared/fetch-endpoint.ts'
import type { ServiceStatus } from '../shared/service-status.ts'
import { declaredService, defineService, existingServerReadiness } from './define-service.ts'
import { ServiceHub } from './service-hub.ts'

const hubs: ServiceHub[] = []
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.stopAll()))
  for (const server of servers.splice(0)) server.close()
})

/** Starts `definition` through a hub with `env` in force, as a run's main process would. */
async function start(definition: Parameters<ServiceHub['register']>[0], env: Record<string, string> = {}) {
  const saved = { ...process.env }
  Object.assign(process.env, env)
  const hub = new ServiceHub()
  hubs.push(hub)
  hub.register(definition)
  try {
    return (await hub.ensure([definition.name]))[definition.name] as ServiceStatus
  } finally {
    for (const key of Object.keys(env)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

const reason = (status: ServiceStatus) => (status.state === 'ready' ? '(ready)' : status.reason)

/** A service named by DEMO_URL (its `env` provider), probed with one GET: the shape of Vault's and S3's. */
function demo(probes: string[] = []) {
  return defineService<{ url: string }>({
    name: 'demo',
    providers: [
      {
        kind: 'env',
        authoritative: true,
        async start() {
          if (!process.env.DEMO_URL) throw new NotApplicable('DEMO_URL is not set')
          return { connection: { url: process.env.DEMO_URL }, readiness: existingServerReadiness }
        },
      },
      {
        kind: 'embedded',
        async start() {
          throw new NotApplicable('DEMO has no embedded server')
        },
      },
    ],
    async probe({ url }, signal) {
      probes.push(url)
      const response = await fetchEndpoint(url, { signal })
      if (!response.ok) throw new Error(`${url} answered ${response.status}`)
    },
    endpoint: ({ url }) => url,
  })
}

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer(onConnection)
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as { port: number }).port
}

async function closedPort(): Promise<number> {
  const port = await listen(() => {})
  servers.pop()?.close()
  return port
}

describe('a provider list that leaves nothing to try is a misconfiguration', { tags: ['tier1'] }, () => {
  test.each(['', ' ', ',', ' , '])('TESTBED_DEMO_PROVIDERS=%j', async (value) => {
    const status = await start(demo(), { TESTBED_DEMO_PROVIDERS: value })
    expect(status.state).toBe('broken') // fails, never skips
    expect(reason(status)).toBe(
      `demo misconfigured: TESTBED_DEMO_PROVIDERS is set to ${JSON.stringify(value)}, which names no provider; demo has: env, embedded, and up (from testbed up)`,
    )
  })

  test('a provider named twice, and a definition without providers', async () => {
    expect(reason(await start(demo(), { TESTBED_DEMO_PROVIDERS: 'env,embedded,env' }))).toBe(
      'demo misconfigured: TESTBED_DEMO_PROVIDERS names env more than once; demo has: env, embedded, and up (from testbed up)',
    )
    expect(reason(await start({ ...demo(), providers: [] }))).toBe(
      'demo misconfigured: demo has no providers: its definition lists none',
    )
  })
})

describe('no status carries an empty reason', { tags: ['tier1'] }, () => {
  test('providers that throw without a message, and a declared service without a reason', async () => {
    const mute = defineService<never>({
      name: 'mute',
      providers: [
        {
          kind: 'env',
          async start() {
            throw new NotApplicable('')
          },
        },
        {
          kind: 'embedded',
          async start() {
            throw new Error()
          },
        },
      ],
      endpoint: () => '',
    })
    expect(reason(await start(mute))).toBe(
      'mute unavailable: env: NotApplicable (thrown without a message); embedded: Error (thrown without a message)',
    )
    expect(reason(await start(declaredService('kafka', '')))).toBe(
      'kafka unavailable: plugin: NotApplicable (thrown without a message)',
    )
  })
})

describe('an existing server (env): refused at once, slow waited for', { tags: ['tier2'] }, () => {
  test('a closed port is reported as refused, naming the endpoint, after one probe', async () => {
    const port = await closedPort()
    const probes: string[] = []
    const status = await start(demo(probes), { DEMO_URL: `http://127.0.0.1:${port}/` })
    expect(reason(status)).toBe(
      `demo unavailable: env: GET http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}`,
    )
    expect(probes).toHaveLength(1) // refused is final: not retried until a deadline
  })

  test('a request fetch refuses to make (port 9, which the Fetch standard blocks) is final too', async () => {
    const probes: string[] = []
    const status = await start(demo(probes), { DEMO_URL: 'http://127.0.0.1:9/' })
    expect(reason(status)).toBe(
      'demo unavailable: env: GET http://127.0.0.1:9/: bad port: fetch never connects to port 9 (the Fetch standard blocks it); use another',
    )
    expect(probes).toHaveLength(1)
  })

  test('a server that accepts and answers late (past the 2 s env providers used to give) is waited for', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let connections = 0
    let accepted!: () => void
    const connected = new Promise<void>((resolve) => {
      accepted = resolve
    })
    const port = await listen((socket) => {
      connections++
      accepted()
      socket.once('data', async () => {
        await released
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok')
      })
    })
    let settled = false
    const starting = start(demo(), { DEMO_URL: `http://127.0.0.1:${port}/` }).finally(() => {
      settled = true
    })
    await connected
    // Hold the answer past the old 2 s limit: the probe must still be waiting on its first connection.
    await sleep(2500)
    expect(settled).toBe(false)
    release()
    const status = await starting
    expect(status.state).toBe('ready')
    expect(connections).toBe(1)
  })

  test('the wait is bounded by TESTBED_ENV_TIMEOUT_MS', async () => {
    const port = await listen(() => {}) // accepts, never answers
    const status = await start(demo(), {
      DEMO_URL: `http://127.0.0.1:${port}/`,
      TESTBED_ENV_TIMEOUT_MS: '300',
    })
    expect(reason(status)).toMatch(
      new RegExp(
        `^demo unavailable: env: not ready after \\d+ ms: GET http://127\\.0\\.0\\.1:${port}/: no answer: The operation was aborted due to timeout$`,
      ),
    )
    const wrong = await start(demo(), {
      DEMO_URL: `http://127.0.0.1:${port}/`,
      TESTBED_ENV_TIMEOUT_MS: '30s',
    })
    expect(reason(wrong)).toBe(
      'demo unavailable: env: TESTBED_ENV_TIMEOUT_MS must be a positive number of milliseconds, not "30s"',
    )
  })
})
