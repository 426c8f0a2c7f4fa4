import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chmodSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, onTestFinished, test } from 'vitest'

const fixture = fileURLToPath(new URL('./fixtures/watch-migrations', import.meta.url))
/** The end of a run in watch mode: `Waiting for file changes…`, or `Watching…` after a failure. */
const idle = /(Waiting|Watching) for file changes/
const vitestBin = fileURLToPath(new URL('./vitest.mjs', import.meta.resolve('vitest/package.json')))

/** A `vitest` watching the fixture, its output read as it comes. */
function watchVitest(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(VITEST|TESTBED_|PG|DATABASE_URL$|POSTGRES_|FIXTURE_|NODE_ENV$|TEST$|CI$)/.test(key),
    ),
  )
  const child = spawn(process.execPath, [vitestBin, '--watch', '--root', fixture], {
    env: { ...clean, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (c) => (output += c))
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let mark = 0
  return {
    child: child as ChildProcess,
    closed,
    output: () => output,
    /** Output since the last `expectNext` matched (or since the start). */
    recent: () => output.slice(mark),
    /** Waits for `pattern` in what came since the last match; a bounded wait for a loaded machine. */
    async expectNext(pattern: RegExp | string, timeoutMs = 90_000): Promise<string> {
      const until = Date.now() + timeoutMs
      for (;;) {
        const seen = output.slice(mark)
        const at = typeof pattern === 'string' ? seen.indexOf(pattern) : seen.search(pattern)
        if (at >= 0) {
          const match = typeof pattern === 'string' ? pattern : (seen.slice(at).match(pattern)?.[0] ?? '')
          mark += at + match.length
          return seen.slice(0, at + match.length)
        }
        if (child.exitCode !== null || Date.now() > until)
          throw new Error(`no ${pattern} in vitest's output:\n${output}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
  }
}

/** PostgreSQL servers still running out of `dir`. */
const serversIn = (dir: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(dir) && /postgres/.test(line))

describe('vitest watch mode', { tags: ['requires_postgres_binaries', 'tier2'] }, () => {
  test('a changed migrations folder rebuilds the template and reruns the files that use the database', {
    timeout: 480_000,
  }, async () => {
    const migrations = scratchDir('watch-migrations')
    const tmp = scratchDir('watch-servers')
    chmodSync(tmp, 0o755)
    writeFileSync(join(migrations, '001_one.sql'), 'CREATE TABLE one (id int);\n')
    const vitest = watchVitest({
      WATCH_MIGRATIONS: migrations,
      TESTBED_POSTGRES_PROVIDERS: 'binary',
      TESTBED_TMPDIR: tmp,
    })
    await vitest.expectNext('TABLES=one.')
    await vitest.expectNext(idle)
    expect(vitest.output()).toContain('PLAIN_RAN')

    // Added: the next rerun's database has the table, and only the file using the database ran.
    writeFileSync(join(migrations, '002_two.sql'), 'CREATE TABLE two (id int);\n')
    await vitest.expectNext('TABLES=one,two.')
    expect(await vitest.expectNext(idle)).not.toContain('PLAIN_RAN')

    // Edited into an error: the test fails with the migration's file and line.
    writeFileSync(
      join(migrations, '002_two.sql'),
      'CREATE TABLE two (id int);\nCREATE TABLE bad (id no_such_type);\n',
    )
    await vitest.expectNext(
      `migration ${join(migrations, '002_two.sql')} line 2: type "no_such_type" does not exist`,
    )
    await vitest.expectNext(idle)

    // Fixed by a rename and an edit: it recovers without restarting Vitest.
    renameSync(join(migrations, '002_two.sql'), join(migrations, '003_three.sql'))
    writeFileSync(join(migrations, '003_three.sql'), 'CREATE TABLE three (id int);\n')
    await vitest.expectNext('TABLES=one,three.')
    await vitest.expectNext(idle)

    // Removed: back to the first template.
    rmSync(join(migrations, '003_three.sql'))
    await vitest.expectNext('TABLES=one.')
    await vitest.expectNext(idle)

    // Ctrl-C: Vitest ends, and the server with it.
    vitest.child.kill('SIGINT')
    await vitest.closed
    // Stopped by Vitest's close, or else by Testbed's reaper once the process is gone.
    await expect.poll(() => serversIn(tmp), { timeout: 30_000, interval: 250 }).toEqual([])
    await expect.poll(() => readdirSync(tmp), { timeout: 30_000, interval: 250 }).toEqual([])
  })

  test('a migration broken when watching starts fails the tests; fixing it recovers without a restart', {
    timeout: 480_000,
  }, async () => {
    const migrations = scratchDir('watch-migrations')
    const tmp = scratchDir('watch-servers')
    chmodSync(tmp, 0o755)
    const broken = join(migrations, '001_one.sql')
    writeFileSync(broken, 'CREATE TABLE one (id int);\nCREATE TABLE bad (id no_such_type);\n')
    const vitest = watchVitest({
      WATCH_MIGRATIONS: migrations,
      TESTBED_POSTGRES_PROVIDERS: 'binary',
      TESTBED_TMPDIR: tmp,
    })
    // Provisioning failed at the start: the test fails with the file and line, no server is left.
    await vitest.expectNext(
      `postgres provisioning failed: migration ${broken} line 2: type "no_such_type" does not exist`,
    )
    await vitest.expectNext(idle)
    expect(vitest.output()).not.toContain('TABLES=')
    await expect.poll(() => serversIn(tmp), { timeout: 30_000, interval: 250 }).toEqual([])

    // Fixed: the next rerun starts the service anew, and the test passes.
    writeFileSync(broken, 'CREATE TABLE one (id int);\n')
    await vitest.expectNext('TABLES=one.')
    expect(await vitest.expectNext(idle)).not.toContain('PLAIN_RAN')

    vitest.child.kill('SIGINT')
    await vitest.closed
    await expect.poll(() => serversIn(tmp), { timeout: 30_000, interval: 250 }).toEqual([])
    await expect.poll(() => readdirSync(tmp), { timeout: 30_000, interval: 250 }).toEqual([])
  })
})
