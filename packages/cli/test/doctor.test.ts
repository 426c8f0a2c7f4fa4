// `testbed doctor` run as a user runs it, in a child process, against this machine: the real Docker
// engine, no engine at all, and a socket that accepts connections and never answers.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, rmSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  checkoutOf,
  NO_CHECK,
  type ProviderCheck,
  type ServiceDiagnosis,
  writeState,
} from '@testbed/core/config'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import type { DoctorReport } from '../src/doctor/report.ts'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const FIXTURE = fileURLToPath(new URL('./fixtures/doctor-repo', import.meta.url))
const COMPOSE_FIXTURE = fileURLToPath(new URL('./fixtures/doctor-compose', import.meta.url))
const NO_ENGINE = 'unix:///nonexistent.sock'

interface Doctor {
  pid: number
  code: number | null
  stdout: string
  stderr: string
}

/** The doctor in a child process, in the fixture repository, with only the variables given here. */
async function doctor(
  args: string[],
  env: Record<string, string> = {},
  cwd = FIXTURE,
  onSpawn?: (child: ChildProcess) => void,
): Promise<Doctor & { signal: NodeJS.Signals | null }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(VITEST|TESTBED_|PG|DATABASE_URL$|REDIS_URL$|DOCKER_HOST$|CI$|NODE_ENV$)/.test(key),
    ),
  )
  const child = spawn(process.execPath, [BIN, 'doctor', ...args], {
    cwd,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  onSpawn?.(child)
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  return { pid: child.pid as number, code, signal, stdout, stderr }
}

async function doctorJson(
  env: Record<string, string> = {},
): Promise<DoctorReport & { code: number | null; pid: number }> {
  const run = await doctor(['--json'], env)
  expect(run.stderr).toBe('')
  return { ...(JSON.parse(run.stdout) as DoctorReport), code: run.code, pid: run.pid }
}

function service(report: DoctorReport, name: string): ServiceDiagnosis {
  const found = report.services.find((s) => s.name === name)
  if (!found) throw new Error(`no ${name} in the report: ${report.services.map((s) => s.name).join(', ')}`)
  return found
}

function provider(report: DoctorReport, name: string, kind: string): ProviderCheck {
  const found = service(report, name).providers.find((p) => p.provider === kind)
  if (!found) throw new Error(`${name} has no ${kind} check`)
  return found
}

const dockerVersion = (format: string) =>
  execFileSync('docker', ['version', '--format', format], { env: { ...process.env, DOCKER_HOST: '' } })
    .toString()
    .trim()

/** An image the engine has, as `docker images` lists it (CI here builds testbed/postgres:15 and others). */
function localImage(): string {
  const images = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], {
    env: { ...process.env, DOCKER_HOST: '' },
  })
    .toString()
    .split('\n')
    .filter((image) => image && !image.includes('<none>'))
  const image = images.find((i) => i.startsWith('testbed/postgres')) ?? images[0]
  if (!image) throw new Error('the Docker engine has no image to show: docker images lists none')
  return image
}

describe('testbed doctor', { tags: ['tier2'] }, () => {
  test('with the Docker engine: its version and API as the docker CLI reports them, and whether it has each image', {
    tags: ['requires_docker'],
  }, async () => {
    const image = localImage()
    const report = await doctorJson({
      DOCKER_HOST: 'unix:///var/run/docker.sock',
      TESTBED_POSTGRES_IMAGE: image,
      TESTBED_REDIS_IMAGE: 'testbed/redis:no-such-tag',
    })
    expect(report.machine.docker).toMatchObject({
      host: 'unix:///var/run/docker.sock',
      state: 'answers',
      version: dockerVersion('{{.Server.Version}}'),
      apiVersion: dockerVersion('{{.Server.APIVersion}}'),
    })
    expect(provider(report, 'postgres', 'container')).toMatchObject({
      applicable: true,
      reason: `the Docker engine answers and has ${image}`,
      found: {
        engine: `unix:///var/run/docker.sock (Docker ${report.machine.docker.version}, API ${report.machine.docker.apiVersion})`,
        image: `${image} (local)`,
      },
    })
    expect(provider(report, 'redis', 'container')).toMatchObject({
      applicable: true,
      reason: 'the Docker engine answers; testbed/redis:no-such-tag is not local: starting pulls it',
      found: { image: 'testbed/redis:no-such-tag (not local)' },
    })
    const text = await doctor([], {
      DOCKER_HOST: 'unix:///var/run/docker.sock',
      TESTBED_POSTGRES_IMAGE: image,
    })
    expect(text.stdout).toContain(
      `answers: Docker ${report.machine.docker.version}, API ${report.machine.docker.apiVersion}`,
    )
    expect(text.stdout).toContain(`image: ${image} (local)`)
    // Nothing was started: no container carries the doctor's run label.
    const runs = execFileSync(
      'docker',
      ['ps', '-a', '--filter', 'label=testbed.run', '--format', '{{.Label "testbed.run"}}'],
      {
        env: { ...process.env, DOCKER_HOST: '' },
      },
    ).toString()
    for (const pid of [report.pid, text.pid])
      expect(runs.split('\n').filter((run) => run.startsWith(`${pid}-`))).toEqual([])
  })

  test('a compose provider: the Compose CLI, the file, and the image of its service; a service the file lacks is a problem', {
    tags: ['requires_compose'],
  }, async () => {
    const image = localImage()
    const run = await doctor(
      ['--json'],
      { DOCKER_HOST: 'unix:///var/run/docker.sock', DB_IMAGE: image },
      COMPOSE_FIXTURE,
    )
    const report = JSON.parse(run.stdout) as DoctorReport
    const file = join(COMPOSE_FIXTURE, 'compose.yml')
    expect(provider(report, 'postgres', 'compose')).toMatchObject({
      applicable: true,
      reason: 'the Docker engine and Compose answer; compose.yml has db',
      found: {
        compose: `docker compose ${report.machine.compose.version}`,
        file,
        image: `${image} (local)`,
      },
    })
    expect(provider(report, 'redis', 'compose')).toMatchObject({
      applicable: true,
      problem: `compose file ${file} has no service "missing"`,
    })
    // Nothing came up: no compose project of the doctor's run, and the file's password is not shown.
    const projects = execFileSync('docker', ['compose', 'ls', '--all', '--format', 'json'], {
      env: { ...process.env, DOCKER_HOST: '' },
    }).toString()
    expect(projects).not.toContain(`testbed-${run.pid}-`)
    expect(run.stdout).not.toContain('compose-s3cret')
  })

  test('without a Docker engine: the container providers do not apply, saying why; the service falls to the next', async () => {
    const report = await doctorJson({ DOCKER_HOST: NO_ENGINE })
    const why = `no Docker engine at ${NO_ENGINE}: ENOENT`
    expect(report.machine.docker).toEqual({
      host: NO_ENGINE,
      state: 'absent',
      reason: why,
      ms: expect.any(Number),
    })
    for (const name of ['postgres', 'redis'])
      expect(provider(report, name, 'container')).toMatchObject({ applicable: false, reason: why })
    const text = await doctor([], { DOCKER_HOST: NO_ENGINE })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(new RegExp(`container +no +\\d+ +${why}`))
  })

  test('a socket that accepts and never answers: the check is bounded, says the engine hangs, and the doctor returns', async () => {
    const dir = scratchDir('doctor-hang')
    const socketPath = join(dir, 'docker.sock')
    const accepted: Socket[] = []
    // Reads what it is sent (so that it sees the client close) and never says a word.
    const server = createServer((socket) => {
      accepted.push(socket)
      socket.resume()
    })
    server.listen(socketPath)
    await once(server, 'listening')
    try {
      const host = `unix://${socketPath}`
      const run = await doctor(['--json'], { DOCKER_HOST: host, TESTBED_DOCKER_PROBE_TIMEOUT_MS: '1000' })
      const report = JSON.parse(run.stdout) as DoctorReport
      const why = `no Docker engine at ${host}: it accepted the connection but did not answer /_ping within 1000 ms`
      expect(report.machine.docker).toMatchObject({ host, state: 'hangs', reason: why })
      expect(provider(report, 'postgres', 'container')).toMatchObject({ applicable: false, reason: why })
      expect(accepted.length).toBeGreaterThan(0)
      // The doctor exited, and closed every connection it had opened on its way out.
      expect(run.code).toBe(0)
      await Promise.all(accepted.map((s) => (s.closed ? undefined : once(s, 'close'))))
    } finally {
      server.close()
    }
  })

  test('Ctrl-C while a check waits on the engine: the doctor stops at once and leaves no connection open', async () => {
    const dir = scratchDir('doctor-sigint')
    const socketPath = join(dir, 'docker.sock')
    const accepted: Socket[] = []
    let interrupt: (() => void) | undefined
    const server = createServer((socket) => {
      accepted.push(socket)
      socket.resume()
      // The doctor is surely inside its engine check now: interrupt it there.
      interrupt?.()
    })
    server.listen(socketPath)
    await once(server, 'listening')
    try {
      const run = await doctor(
        [],
        // A bound far longer than the test, so only Ctrl-C can end the check.
        { DOCKER_HOST: `unix://${socketPath}`, TESTBED_DOCKER_PROBE_TIMEOUT_MS: '600000' },
        FIXTURE,
        (child) => {
          interrupt = () => child.kill('SIGINT')
        },
      )
      expect(run.signal === 'SIGINT' || run.code === 130).toBe(true)
      expect(run.stdout).toBe('')
      expect(accepted.length).toBeGreaterThan(0)
      await Promise.all(accepted.map((s) => (s.closed ? undefined : once(s, 'close'))))
    } finally {
      server.close()
    }
  })

  test('a required service that no provider can give: exit status 1, naming the pipeline that requires it', async () => {
    const run = await doctor([], { DOCKER_HOST: NO_ENGINE, TESTBED_POSTGRES_PROVIDERS: 'env,container' })
    expect(run.code).toBe(1)
    const problem = `postgres is required by pipeline main, but cannot be had: no provider applies (env: neither DATABASE_URL nor PGHOST is set; container: no Docker engine at ${NO_ENGINE}: ENOENT)`
    expect(run.stdout).toContain(`✗ ${problem}`)
    const report = await doctorJson({ DOCKER_HOST: NO_ENGINE, TESTBED_POSTGRES_PROVIDERS: 'env,container' })
    expect(report.code).toBe(1)
    expect(report.problems).toEqual([problem])
    expect(report.required).toEqual([{ pipeline: 'main', service: 'postgres', state: 'unavailable' }])
  })

  test('TESTBED_<NAME>_PROVIDERS orders and narrows the checks as it does a run; a name it does not have is a misconfiguration', async () => {
    const report = await doctorJson({ TESTBED_POSTGRES_PROVIDERS: 'embedded,binary' })
    expect(service(report, 'postgres').providers.map((p) => p.provider)).toEqual(['embedded', 'binary'])
    const wrong = await doctorJson({ TESTBED_POSTGRES_PROVIDERS: 'podman' })
    expect(service(wrong, 'postgres').verdict).toEqual({
      state: 'unavailable',
      reason:
        'postgres misconfigured: TESTBED_POSTGRES_PROVIDERS names unknown provider(s) podman; postgres has: env, container, binary, embedded, and up (from testbed up)',
    })
    expect(wrong.code).toBe(1)
  })

  test('secrets are redacted: a password in DATABASE_URL or REDIS_URL never appears, in text or JSON', async () => {
    const env = {
      DOCKER_HOST: NO_ENGINE,
      DATABASE_URL: 'postgres://app:Pg-s3cret-w0rd@db.internal:5432/app',
      REDIS_URL: 'redis://:Redis-s3cret@cache.internal:6379/0',
      PGPASSWORD: 'libpq-s3cret',
    }
    const text = await doctor([], env)
    const json = await doctor(['--json'], env)
    for (const output of [text.stdout, json.stdout]) {
      for (const secret of ['Pg-s3cret-w0rd', 'Redis-s3cret', 'libpq-s3cret'])
        expect(output).not.toContain(secret)
    }
    const report = JSON.parse(json.stdout) as DoctorReport
    expect(provider(report, 'postgres', 'env')).toMatchObject({
      applicable: true,
      reason: 'from DATABASE_URL',
      found: { DATABASE_URL: 'postgres://app:***@db.internal:5432/app', PGPASSWORD: '***' },
    })
    expect(provider(report, 'redis', 'env').found).toEqual({
      REDIS_URL: 'redis://:***@cache.internal:6379/0',
    })
    expect(text.stdout).toContain('DATABASE_URL: postgres://app:***@db.internal:5432/app')
  })

  test('a variable that is set but wrong: the provider applies, the problem is said, and a run would stop there', async () => {
    const report = await doctorJson({ DOCKER_HOST: NO_ENGINE, DATABASE_URL: 'mysql://app:pw@db/app' })
    expect(provider(report, 'postgres', 'env')).toMatchObject({
      applicable: true,
      problem:
        'DATABASE_URL is not a valid PostgreSQL URL: it must start with postgres:// or postgresql:// ("mysql://app:***@db/app")',
    })
    expect(service(report, 'postgres').verdict.state).toBe('unavailable')
    expect(report.problems[0]).toMatch(
      /^postgres is required by pipeline main, but cannot be had: env applies and would fail/,
    )
  })

  test('--json has the documented shape', async () => {
    const report = await doctorJson({ DOCKER_HOST: NO_ENGINE })
    expect(report).toEqual({
      version: 1,
      config: join(FIXTURE, 'vitest.workspace.ts'),
      machine: {
        node: {
          version: process.version,
          engines: '>=22.22',
          satisfied: true,
          reason: 'satisfies engines.node >=22.22 (package.json)',
        },
        docker: expect.objectContaining({ host: NO_ENGINE, state: 'absent' }),
        compose: expect.objectContaining({
          found: expect.any(Boolean),
          reason: expect.any(String),
          ms: expect.any(Number),
        }),
      },
      services: [
        expect.objectContaining({ name: 'postgres' }),
        expect.objectContaining({ name: 'redis' }),
        expect.objectContaining({ name: 'ldap' }),
      ],
      required: [{ pipeline: 'main', service: 'postgres', state: 'available' }],
      problems: [],
      code: 0,
      pid: expect.any(Number),
    })
    for (const s of report.services) {
      expect(s.verdict.state).toMatch(/^(available|unavailable|unknown)$/)
      for (const p of s.providers)
        expect(p).toEqual({
          provider: expect.any(String),
          authoritative: expect.any(Boolean),
          applicable: p.applicable === null ? null : expect.any(Boolean),
          reason: expect.any(String),
          found: expect.any(Object),
          ms: expect.any(Number),
        })
    }
    // `up` comes first: no testbed up of this checkout runs.
    expect(provider(report, 'postgres', 'up')).toMatchObject({
      applicable: false,
      reason: 'no testbed up of this checkout is running',
    })
    // A provider of the repository's own without a check: said so, and the service's verdict is unknown.
    expect(provider(report, 'ldap', 'env')).toMatchObject({ applicable: null, reason: NO_CHECK })
    expect(service(report, 'ldap').verdict).toEqual({
      state: 'unknown',
      provider: 'env',
      reason: `a run would try env first: ${NO_CHECK}`,
    })
  })

  test('a state file of a testbed up that is gone: up does not apply, and the doctor says why', async () => {
    const stateDir = join(FIXTURE, '.testbed')
    mkdirSync(stateDir, { recursive: true })
    // A pid that exited: a shell that ran and ended.
    const gone = Number(execFileSync('sh', ['-c', 'echo $$']).toString().trim())
    try {
      await writeState(FIXTURE, {
        version: 1,
        checkout: await checkoutOf(FIXTURE),
        pid: gone,
        control: { url: 'http://127.0.0.1:9/', token: 'state-file-token' },
        startedAt: new Date().toISOString(),
        services: [],
      })
      const report = await doctorJson({ DOCKER_HOST: NO_ENGINE })
      const why = `not used: .testbed/up.json is stale: its process (pid ${gone}) is gone (npx testbed down removes it)`
      expect(report.up).toBe(why)
      expect(provider(report, 'postgres', 'up')).toMatchObject({ applicable: false, reason: why })
      expect(JSON.stringify(report)).not.toContain('state-file-token')
    } finally {
      rmSync(stateDir, { recursive: true, force: true })
    }
  })
})
