import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { composeStack, type ServiceDefinition, ServiceHub, type ServiceStatus } from '@testbed/core/config'
import { connectOptions, type NatsConnection } from '@testbed/nats'
import { nats } from '@testbed/nats/config'
import type { PostgresConnection } from '@testbed/postgres'
import { postgres } from '@testbed/postgres/config'
import { closeClient, type RedisConnection, redisClient } from '@testbed/redis'
import { redis } from '@testbed/redis/config'
import { composePluginPath } from '@testbed/test-support/compose-plugin'
import { eventually } from '@testbed/test-support/eventually'
import pg from 'pg'
import { afterEach, describe, expect, test } from 'vitest'

const FILE = 'examples/compose-trio/docker-compose.test.yml'
// No registry on CI here: .ci/run builds these images and names them; elsewhere the official ones.
const IMAGES = {
  POSTGRES_IMAGE: process.env.TESTBED_POSTGRES_IMAGE ?? 'postgres:15-alpine',
  REDIS_IMAGE: process.env.TESTBED_REDIS_IMAGE ?? 'redis:7-alpine',
  NATS_IMAGE: process.env.TESTBED_NATS_IMAGE ?? 'nats:2.10-alpine',
}
const COMPOSE_ONLY = {
  TESTBED_POSTGRES_PROVIDERS: 'compose',
  TESTBED_REDIS_PROVIDERS: 'compose',
  TESTBED_NATS_PROVIDERS: 'compose',
}

const hubs: ServiceHub[] = []
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.stopAll()))
})

/** The definitions in one hub, as a run has them, started with `env` in force (provider order). */
async function start(
  definitions: ServiceDefinition<unknown, unknown>[],
  env: Record<string, string>,
): Promise<{ hub: ServiceHub; statuses: Record<string, ServiceStatus> }> {
  const saved = { ...process.env }
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'NATS_URL']) delete process.env[key]
  Object.assign(process.env, env)
  const hub = new ServiceHub()
  hubs.push(hub)
  for (const definition of definitions) hub.register(definition)
  try {
    return { hub, statuses: await hub.ensure(definitions.map((d) => d.name)) }
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

function connection<C>(status: ServiceStatus | undefined): C {
  if (status?.state !== 'ready')
    throw new Error(`not ready: ${status?.state === undefined ? 'missing' : status.reason}`)
  return status.connection as C
}

/** Compose projects of this process with a container left, running or not. */
function projectsOfThisProcess(): string[] {
  return execFileSync('docker', ['ps', '-a', '--format', '{{.Label "com.docker.compose.project"}}'])
    .toString()
    .split('\n')
    .filter((p) => p.includes(`-${process.pid}-`))
}

/** The compose project of this process whose `service` is running. */
function projectServing(service: string): string {
  const projects = execFileSync('docker', [
    'ps',
    '--filter',
    `label=com.docker.compose.service=${service}`,
    '--format',
    '{{.Label "com.docker.compose.project"}}',
  ])
  const ours = projects
    .toString()
    .split('\n')
    .find((p) => p.includes(`-${process.pid}-`))
  if (!ours) throw new Error(`no compose project of this process runs ${service}`)
  return ours
}

/** Names of this project's containers, networks and volumes still on the engine. */
function leftOf(project: string): string[] {
  const label = `label=com.docker.compose.project=${project}`
  const list = (args: string[]) => execFileSync('docker', args).toString().split('\n').filter(Boolean)
  return [
    ...list(['ps', '-a', '--filter', label, '--format', 'container {{.Names}}']),
    ...list(['network', 'ls', '--filter', label, '--format', 'network {{.Name}}']),
    ...list(['volume', 'ls', '--filter', label, '--format', 'volume {{.Name}}']),
  ]
}

describe('a docker-compose.test.yml of PostgreSQL, Dragonfly and NATS, mapped onto the plugins', {
  tags: ['requires_compose', 'tier3'],
}, () => {
  test('one project serves PostgreSQL, Dragonfly (Redis) and NATS; the run brings it down, volumes included', async () => {
    const stack = composeStack({ file: FILE, env: IMAGES })
    const { hub, statuses } = await start(
      [
        postgres({ compose: stack.service('postgres') }),
        redis({ compose: stack.service('dragonfly') }),
        nats({ compose: stack.service('nats'), streams: [{ name: 'TASKS', subjects: ['tasks.>'] }] }),
      ],
      COMPOSE_ONLY,
    )
    for (const name of ['postgres', 'redis', 'nats']) {
      const status = statuses[name]
      expect(status?.state === 'ready' && [status.provider, status.detail?.split(' (')[0]]).toEqual([
        'compose',
        `${FILE}: ${{ postgres: 'postgres', redis: 'dragonfly', nats: 'nats' }[name]}`,
      ])
    }
    // PostgreSQL with the user, password and database the compose file gave it; migrated template made.
    const pgc = connection<PostgresConnection>(statuses.postgres)
    expect({ user: pgc.user, password: pgc.password, throwaway: pgc.throwaway }).toEqual({
      user: 'agent',
      password: 'agent-secret',
      throwaway: true,
    })
    const client = new pg.Client({ ...pgc, database: pgc.shared })
    await client.connect()
    const { rows } = await client.query('SELECT current_user AS who')
    await client.end()
    expect(rows[0].who).toBe('agent')
    // Redis with the service's REDIS_PASSWORD.
    const rc = connection<RedisConnection>(statuses.redis)
    const cache = redisClient(rc)
    await cache.set('compose-trio', 'yes')
    expect(await cache.get('compose-trio')).toBe('yes')
    await closeClient(cache)
    // NATS with JetStream and the configured stream.
    const nc = await connect(connectOptions(connection<NatsConnection>(statuses.nats)))
    await jetstream(nc).publish('tasks.created', 'one')
    expect((await (await jetstreamManager(nc)).streams.info('TASKS')).state.messages).toBe(1)
    await nc.close()
    // All three in one project, started once.
    const project = projectServing('nats')
    expect(
      leftOf(project)
        .filter((l) => l.startsWith('container'))
        .sort(),
    ).toEqual(['dragonfly', 'nats', 'postgres'].map((s) => `container ${project}-${s}-1`))
    expect(leftOf(project)).toContain(`volume ${project}_postgres-data`)
    await hub.stopAll()
    expect(leftOf(project)).toEqual([])
  })

  test('through a standalone Compose v2 binary (`executable`), the same', async () => {
    const plugin = composePluginPath()
    const stack = composeStack({ file: FILE, env: IMAGES, executable: plugin })
    const { hub, statuses } = await start([redis({ compose: stack.service('dragonfly') })], COMPOSE_ONLY)
    const cache = redisClient(connection<RedisConnection>(statuses.redis))
    expect(await cache.ping()).toBe('PONG')
    await closeClient(cache)
    const project = projectServing('dragonfly')
    await hub.stopAll()
    expect(leftOf(project)).toEqual([])
  })

  test('bad input: a missing file, a service the file lacks, an unreachable CLI', async () => {
    const missing = composeStack({ file: 'examples/compose-trio/no-such-compose.yml', env: IMAGES })
    const lacking = composeStack({ file: FILE, env: IMAGES })
    const noCli = composeStack({ file: FILE, env: IMAGES, executable: '/nonexistent/docker-compose' })
    const { statuses } = await start(
      [
        redis({ compose: missing.service('dragonfly') }),
        nats({ compose: lacking.service('nats-server') }),
        postgres({ compose: noCli.service('postgres') }),
      ],
      COMPOSE_ONLY,
    )
    const reason = (name: string) => (statuses[name]?.state === 'ready' ? 'ready' : statuses[name]?.reason)
    expect(reason('redis')).toMatch(
      /^redis unavailable: compose: compose file examples\/compose-trio\/no-such-compose\.yml not found \(looked for \/.*\/no-such-compose\.yml\)$/,
    )
    expect(reason('nats')).toBe(
      `nats unavailable: compose: compose file ${FILE} has no running service "nats-server"`,
    )
    expect(reason('postgres')).toMatch(
      /^postgres unavailable: compose: no Compose v2 CLI: `\/nonexistent\/docker-compose version` failed: .*ENOENT/,
    )
    // The stack that came up for the missing service went down with the run: nothing of this process is left.
    await Promise.all(hubs.splice(0).map((hub) => hub.stopAll()))
    expect(projectsOfThisProcess()).toEqual([])
  })

  test('a service that never becomes healthy, and one that exits: the start fails naming it, nothing is left', async () => {
    const unhealthy = composeStack({
      file: 'examples/compose-trio/test/unhealthy.compose.yml',
      env: IMAGES,
      startupTimeoutMs: 4000,
    })
    // A Redis image where NATS should be: it exits at once on NATS's arguments.
    const exits = composeStack({ file: FILE, env: { ...IMAGES, NATS_IMAGE: IMAGES.REDIS_IMAGE } })
    const { statuses, hub } = await start(
      [redis({ compose: unhealthy.service('stuck') }), nats({ compose: exits.service('nats') })],
      COMPOSE_ONLY,
    )
    const reason = (name: string) => (statuses[name]?.state === 'ready' ? 'ready' : statuses[name]?.reason)
    expect(reason('redis')).toMatch(
      /^redis unavailable: compose: compose up examples\/compose-trio\/test\/unhealthy\.compose\.yml: compose service "stuck": Health check failed: unhealthy$/,
    )
    expect(reason('nats')).toMatch(
      /^nats unavailable: compose: compose service "nats" is not running \(exited Exited \(\d+\).*\)/,
    )
    await hub.stopAll()
    expect(projectsOfThisProcess()).toEqual([])
  })

  test('a run killed with SIGKILL: its reaper brings the project down, volumes included', async () => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./fixtures/killed-run.ts', import.meta.url))],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    const project = await new Promise<string>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString()
        const match = /up (\S+)/.exec(output)
        if (match) resolve(match[1] as string)
      }
      child.stdout.on('data', read)
      child.stderr.on('data', read)
      child.once('exit', (code) => reject(new Error(`the run exited with ${code}: ${output}`)))
    })
    expect(leftOf(project).length).toBeGreaterThan(0)
    child.kill('SIGKILL')
    await eventually(() => leftOf(project).length === 0, `${project} brought down by the reaper`, 60_000)
  })
})
