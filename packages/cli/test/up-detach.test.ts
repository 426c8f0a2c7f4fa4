// `testbed up --detach`: a test run reuses its services (the table says provider `up`, per-test
// isolation holds), status and env show them, down stops them and nothing is left; after `kill -9`
// of the background process, the run ignores the stale state file, status says so, down cleans it.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runVitest } from '@testbed/test-support/run-vitest'
import { afterEach, describe, expect, test } from 'vitest'
import { alive, checkout, descendants, tempDirsOf, testbed } from './testbed-command.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

interface State {
  pid: number
  services: Array<{ name: string; provider: string }>
}
const stateOf = (dir: string) => JSON.parse(readFileSync(join(dir, '.testbed', 'up.json'), 'utf8')) as State

/** A checkout with `up --detach` of postgres and redis running; killed at the end whatever happens. */
async function detachedUp() {
  const repo = checkout()
  cleanups.push(repo.remove)
  const up = await testbed(['up', 'postgres', 'redis', '--detach'], repo.dir)
  expect(up.stderr).toMatch(/postgres, redis running in the background \(pid \d+/)
  expect(up.code).toBe(0)
  const { pid } = stateOf(repo.dir)
  cleanups.push(() => {
    if (alive(pid)) process.kill(pid, 'SIGKILL')
  })
  const processes = descendants(pid)
  return { repo, up, pid, processes, dirs: tempDirsOf(processes) }
}

/**
 * A test run in the checkout, told to use testbed up even in CI (as `up --format github` tells it);
 * `up` first, then the machine's binaries (a provider list without `up` would leave it out).
 */
const testRun = (dir: string) =>
  runVitest({
    fixture: dir,
    cwd: dir,
    args: ['--project', 'main'],
    env: { TESTBED_POSTGRES_PROVIDERS: 'up,binary', TESTBED_REDIS_PROVIDERS: 'up,binary', TESTBED_UP: 'use' },
  })

describe('testbed up --detach', { tags: ['e2e'] }, () => {
  test('a test run uses its services; status and env show them; down leaves nothing', async () => {
    const { repo, up, pid, processes, dirs } = await detachedUp()
    expect(processes.length).toBeGreaterThan(0)
    expect(dirs.length).toBeGreaterThan(0)
    const password = /PGPASSWORD='([^']+)'/.exec(up.stdout)?.[1] as string
    expect(password).toBeTruthy()

    const run = await testRun(repo.dir)
    expect(run.tests.flatMap((t) => t.failureMessages).join('\n')).toBe('')
    expect(run.status('a database of its own (first)')).toBe('passed')
    expect(run.status('a database of its own (second)')).toBe('passed')
    expect(run.status('a key of its own')).toBe('passed')
    expect(run.stderr).toMatch(/postgres\s+up\s/)
    expect(run.stderr).toMatch(/redis\s+up\s/)
    expect(run.stderr).toContain(`testbed up, pid ${pid}`)
    // The run stopped nothing of up's: its servers still run.
    expect(processes.filter(alive)).toEqual(processes)

    const status = await testbed(['status'], repo.dir)
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(
      /^postgres\s+binary\s+postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\s/m,
    )
    const json = await testbed(['status', '--json'], repo.dir)
    expect(JSON.parse(json.stdout)).toMatchObject({
      up: 'up',
      pid,
      services: [{ name: 'postgres' }, { name: 'redis' }],
    })
    const env = await testbed(['env', 'postgres', '--format', 'json'], repo.dir)
    expect(JSON.parse(env.stdout).PGPASSWORD).toBe(password)
    // Secrets: only in the exports asked for.
    for (const text of [
      status.stdout,
      status.stderr,
      json.stdout,
      up.stderr,
      readFileSync(join(repo.dir, '.testbed', 'up.log'), 'utf8'),
    ])
      expect(text).not.toContain(password)

    const down = await testbed(['down'], repo.dir)
    expect(down.stderr).toContain(`stopped testbed up (pid ${pid}`)
    expect(down.code).toBe(0)
    expect(alive(pid)).toBe(false)
    await expect.poll(() => processes.filter(alive), { timeout: 30_000 }).toEqual([])
    expect(dirs.filter((d) => existsSync(d))).toEqual([])
    expect(existsSync(join(repo.dir, '.testbed', 'up.json'))).toBe(false)
    const again = await testbed(['down'], repo.dir)
    expect(again.stderr).toContain('nothing is up')
    expect(again.code).toBe(0)
  })

  test('a background process that does not answer (stopped): down signals it, and nothing is left', async () => {
    const { repo, pid, processes } = await detachedUp()
    // SIGSTOP: it still exists, its control endpoint accepts connections but never answers.
    process.kill(pid, 'SIGSTOP')
    const status = await testbed(['status'], repo.dir)
    expect(status.stdout).toMatch(
      new RegExp(
        `^stale: .* its process \\(pid ${pid}\\) does not answer at http://127\\.0\\.0\\.1:\\d+`,
        'm',
      ),
    )
    expect(status.code).toBe(1)
    const down = await testbed(['down'], repo.dir)
    expect(down.stderr).toContain(`stopped testbed up's process (pid ${pid}), which did not answer`)
    expect(down.code).toBe(0)
    expect(alive(pid)).toBe(false)
    await expect.poll(() => processes.filter(alive), { timeout: 60_000 }).toEqual([])
    expect(existsSync(join(repo.dir, '.testbed', 'up.json'))).toBe(false)
  })

  test('after kill -9 of the background process: the run ignores the state file, status says stale, down cleans it', async () => {
    const { repo, pid, processes } = await detachedUp()
    process.kill(pid, 'SIGKILL')
    await expect.poll(() => alive(pid), { timeout: 30_000 }).toBe(false)
    // Its reaper stops the servers it held.
    await expect.poll(() => processes.filter(alive), { timeout: 60_000 }).toEqual([])

    const run = await testRun(repo.dir)
    expect(run.tests.flatMap((t) => t.failureMessages).join('\n')).toBe('')
    expect(run.status('a database of its own (first)')).toBe('passed')
    expect(run.stderr).toMatch(/postgres\s+binary\s/)
    expect(run.stderr).toContain(`is stale: its process (pid ${pid}) is gone`)

    const status = await testbed(['status'], repo.dir)
    expect(status.stdout).toMatch(
      new RegExp(`^stale: .*up\\.json names pid ${pid}, but its process \\(pid ${pid}\\) is gone`, 'm'),
    )
    expect(status.code).toBe(1)
    const down = await testbed(['down'], repo.dir)
    expect(down.stderr).toContain(`removed a stale state file: its process (pid ${pid}) is gone`)
    expect(down.code).toBe(0)
    expect(existsSync(join(repo.dir, '.testbed', 'up.json'))).toBe(false)
  })
})
