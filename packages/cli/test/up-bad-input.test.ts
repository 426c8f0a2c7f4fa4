// Each bad input gets one clear error and a non-zero exit, and nothing is left running: an unknown
// service or pipeline, no config, a second `up --detach`, a corrupt state file, Ctrl-C during a start.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectionTo } from '@testbed/test-support/connection-to'
import { afterEach, describe, expect, test } from 'vitest'
import { alive, checkoutForTest, holdersOf, start, testbed } from './testbed-command.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

const repo = checkoutForTest

/** The one line of a failed command: `testbed: <message>`, nothing else on stderr, nothing on stdout. */
function oneError(result: { code: number | null; stdout: string; stderr: string }): string {
  expect(result.code).not.toBe(0)
  expect(result.stdout).toBe('')
  const lines = result.stderr.trimEnd().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^testbed: /)
  return lines[0] as string
}

/** Nothing started: no background process, no state file. */
function nothingLeft(dir: string): void {
  expect(holdersOf(dir)).toEqual([])
  expect(existsSync(join(dir, '.testbed', 'up.json'))).toBe(false)
}

describe('testbed up: bad input', { tags: ['e2e'] }, () => {
  test('an unknown service: the registered ones listed', async () => {
    const dir = repo()
    for (const args of [
      ['up', 'postgres', 'mongo'],
      ['up', 'mongo', '--detach'],
    ]) {
      const line = oneError(await testbed(args, dir))
      expect(line).toBe(
        `testbed: unknown service 'mongo': ${join(dir, 'vitest.workspace.ts')} registers postgres, redis, nats, s3, vault, auth0, gate`,
      )
      nothingLeft(dir)
    }
  })

  test('an unknown pipeline: the known ones listed', async () => {
    const dir = repo()
    const line = oneError(await testbed(['up', '--pipeline', 'nightly', '--detach'], dir))
    expect(line).toBe(
      `testbed: unknown pipeline 'nightly': ${join(dir, 'vitest.workspace.ts')} has main, enterprise`,
    )
    nothingLeft(dir)
  })

  test('no Testbed config found', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cli-up-empty-'))
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }))
    for (const command of [['up'], ['status'], ['down'], ['env']]) {
      const line = oneError(await testbed(command, empty))
      expect(line).toMatch(/^testbed: no Testbed config found: no vitest\.workspace\.ts in \S+ or above it/)
    }
    nothingLeft(empty)
  })

  test('a second up --detach reports the running one and starts nothing', async () => {
    const dir = repo()
    const first = await testbed(['up', 'postgres', '--detach'], dir)
    expect(first.code).toBe(0)
    const [holder] = holdersOf(dir)
    const state = JSON.parse(readFileSync(join(dir, '.testbed', 'up.json'), 'utf8'))
    const line = oneError(await testbed(['up', 'redis', '--detach'], dir))
    expect(line).toBe(
      `testbed: testbed up is already running for this checkout (pid ${holder}, since ${state.startedAt}, holding postgres): testbed down stops it`,
    )
    expect(holdersOf(dir)).toEqual([holder])
    expect(JSON.parse(readFileSync(join(dir, '.testbed', 'up.json'), 'utf8'))).toEqual(state)
    expect((await testbed(['down'], dir)).code).toBe(0)
    expect(alive(holder as number)).toBe(false)
    nothingLeft(dir)
  })

  test('a second up --detach while the first is still starting: refused, one background process', async () => {
    const dir = repo()
    const gateFile = join(dir, 'open-the-gate')
    const first = start(['up', 'gate', '--detach'], dir, { GATE_FILE: gateFile })
    cleanups.push(() => first.child.kill('SIGKILL'))
    // The first is surely starting: its background process waits at the gate, no state file yet.
    await first.stderrMatches(/at the gate: dir \S+ pid \d+/)
    expect(existsSync(join(dir, '.testbed', 'up.json'))).toBe(false)
    const line = oneError(await testbed(['up', 'redis', '--detach'], dir))
    expect(line).toBe(
      `testbed: testbed up --detach is already starting for this checkout (pid ${first.child.pid}): testbed status shows it once it is ready`,
    )
    const [holder] = holdersOf(dir)
    expect(holdersOf(dir)).toHaveLength(1)
    writeFileSync(gateFile, '')
    expect((await first.finished).code).toBe(0)
    // Released once ready: the running one is reported from its state file now.
    expect(existsSync(join(dir, '.testbed', 'up.lock'))).toBe(false)
    expect(oneError(await testbed(['up', 'redis', '--detach'], dir))).toMatch(
      /^testbed: testbed up is already running for this checkout \(pid \d+, since .+, holding gate\)/,
    )
    expect(holdersOf(dir)).toEqual([holder])
    expect((await testbed(['down'], dir)).code).toBe(0)
    nothingLeft(dir)
  })

  test('a start lock left by a killed command is stale: the next up --detach takes it over', async () => {
    const dir = repo()
    mkdirSync(join(dir, '.testbed'))
    // A pid that is surely no process: above the kernel's pid_max.
    writeFileSync(join(dir, '.testbed', 'up.lock'), `${2 ** 22 + 1}\n`)
    const up = await testbed(['up', 'redis', '--detach'], dir)
    expect(up.code).toBe(0)
    expect(existsSync(join(dir, '.testbed', 'up.lock'))).toBe(false)
    expect(holdersOf(dir)).toHaveLength(1)
    expect((await testbed(['down'], dir)).code).toBe(0)
    nothingLeft(dir)
  })

  test('a corrupt state file: one error naming it, from every command but down, which removes it', async () => {
    const dir = repo()
    const file = join(dir, '.testbed', 'up.json')
    mkdirSync(join(dir, '.testbed'))
    writeFileSync(file, '{ "version": 1, "pid": ')
    for (const command of [['up', 'redis', '--detach'], ['up', 'redis'], ['status'], ['env']]) {
      const line = oneError(await testbed(command, dir))
      expect(line).toMatch(
        /^testbed: \S+up\.json is corrupt: it is not JSON \(.+\) \(testbed down removes it\)$/,
      )
      expect(line).toContain(file)
      expect(holdersOf(dir)).toEqual([])
    }
    const down = await testbed(['down'], dir)
    expect(down.code).toBe(0)
    expect(down.stderr).toContain(`removed it: ${file} is corrupt`)
    nothingLeft(dir)
  })

  for (const detach of [false, true])
    test(`a service that cannot be had: its reason, exit 1, the others stopped${detach ? ' (--detach)' : ''}`, async () => {
      const dir = repo()
      // PostgreSQL only from the environment, where nothing names one: it cannot be had.
      const up = await testbed(['up', 'redis', 'postgres', ...(detach ? ['--detach'] : [])], dir, {
        TESTBED_POSTGRES_PROVIDERS: 'env',
      })
      expect(up.code).toBe(1)
      expect(up.stdout).toBe('')
      expect(up.stderr).toContain(
        'testbed: could not start every service, so none was kept:\npostgres: postgres unavailable: env: ',
      )
      const port = Number(
        /redis\s+ready via binary in \S+\s+redis:\/\/:\*\*\*@127\.0\.0\.1:(\d+)/.exec(up.stderr)?.[1],
      )
      expect(port).toBeGreaterThan(0)
      expect(await connectionTo(port)).toBe('ECONNREFUSED')
      nothingLeft(dir)
    })

  for (const detach of [false, true])
    test(`Ctrl-C during a start${detach ? ' (--detach)' : ''}: what started is stopped, nothing printed, nothing left`, async () => {
      const dir = repo()
      const gateFile = join(dir, 'open-the-gate')
      const up = start(['up', 'gate', 'redis', ...(detach ? ['--detach'] : [])], dir, { GATE_FILE: gateFile })
      cleanups.push(() => up.child.kill('SIGKILL'))
      // The gate's start holds a server process and a temp dir, and waits for the gate to open.
      const [, gateDir, gatePid] = (await up.stderrMatches(/at the gate: dir (\S+) pid (\d+)/)) as string[]
      expect(alive(Number(gatePid))).toBe(true)
      expect(existsSync(gateDir as string)).toBe(true)
      up.child.kill('SIGINT')
      await up.stderrMatches(/SIGINT: stopping what is starting/)
      writeFileSync(gateFile, '')
      const { code, stdout, stderr } = await up.finished
      expect(stderr).toContain(
        'testbed: interrupted (SIGINT) while starting: everything that started was stopped',
      )
      expect(code).toBe(130)
      expect(stdout).toBe('')
      expect(alive(Number(gatePid))).toBe(false)
      expect(existsSync(gateDir as string)).toBe(false)
      nothingLeft(dir)
    })
})
