// The result cache through real nested runs of a fixture suite in a scratch git checkout: a cold run
// stores each whole pass, a warm one skips what still holds, and each change re-runs exactly what it
// touches. PostgreSQL comes from its binary provider (a real server).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test } from 'vitest'
import { expectRefusedBeforeTests, policy, policyRepo } from './policy-repo.ts'
import { ALL_FILES, checkout, processesIn } from './result-cache-checkout.ts'

const NESTED_RUNS = { timeout: 300_000 }
const without = (...files: string[]) => ALL_FILES.filter((f) => !files.includes(f))
const stored = (dir: string) => {
  const cache = join(dir, '.testbed/cache')
  return existsSync(cache)
    ? readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.json'))
    : []
}

describe('result cache', { tags: ['tier2', 'requires_postgres_binaries'] }, () => {
  test(
    'a warm run skips every file that passed, with its reason, starting no service',
    NESTED_RUNS,
    async () => {
      const repo = checkout()
      const cold = await repo.run()
      expect(cold.code).toBe(0)
      expect(cold.ran).toEqual(ALL_FILES)
      expect(cold.stderr).toMatch(/postgres ready via binary/)
      expect(cold.stderr).toContain('0 from cache, 6 run, 6 stored')
      const warm = await repo.run()
      expect(warm.code).toBe(0)
      expect(warm.fromCache).toEqual(ALL_FILES)
      expect(warm.ran).toEqual([])
      expect(warm.stderr).toContain(': 6 from cache, 0 run')
      expect(warm.stderr).toMatch(
        new RegExp(
          `↓ \\[main\\] tests/alpha.test.ts — cached: passed at ${repo.head}, \\d{4}-\\d\\d-\\d\\dT`,
        ),
      )
      // Only the PostgreSQL file needed PostgreSQL, and it is a hit: nothing started.
      expect(warm.stderr).not.toContain('postgres ready')
      expect(warm.stderr).not.toContain('Testbed services')
      // Vitest's "No test files found" does not list each hit as an excluded file.
      expect(warm.stdout + warm.stderr).not.toMatch(/exclude:.*alpha\.test\.ts/)
      // Without TESTBED_CACHE_VERBOSE: one line per pipeline in the terminal, the list folded in the step summary.
      const summaryFile = join(repo.dir, 'step-summary.md')
      const quiet = await repo.run({ TESTBED_CACHE_VERBOSE: '', GITHUB_STEP_SUMMARY: summaryFile })
      expect(quiet.code).toBe(0)
      expect(quiet.stderr).toContain(': 6 from cache, 0 run')
      expect(quiet.stderr).toContain('   ↓ [main] 6 files from cache (TESTBED_CACHE_VERBOSE=1 lists them)')
      expect(quiet.stderr).not.toContain('tests/alpha.test.ts')
      const summary = readFileSync(summaryFile, 'utf8')
      expect(summary).toContain('**Result cache**: 6 from cache, 0 run')
      expect(summary).toContain('<details><summary>6 files from cache (main: 6)</summary>')
      expect(summary.match(/^- \[main\] tests\/\S+ — cached: passed at /gm)).toHaveLength(6)
      expect(summary).toContain('</details>')
    },
  )

  test(
    'with a JUnit report file, each hit is in it as a skipped test case with its reason',
    NESTED_RUNS,
    async () => {
      const repo = checkout()
      const report = join(repo.dir, 'reports/junit.xml')
      const junit = ['--reporter=junit', `--outputFile.junit=${report}`]
      const cases = () => readFileSync(report, 'utf8').match(/<testcase /g)?.length ?? 0
      const cachedCases = () =>
        readFileSync(report, 'utf8').match(
          new RegExp(`<skipped message="cached: passed at ${repo.head}, `, 'g'),
        )?.length ?? 0
      expect((await repo.run({}, junit)).code).toBe(0)
      expect([cases(), cachedCases()]).toEqual([6, 0])
      repo.write('src/shared.ts', "export const greeting = 'hello, again'\n")
      const mixed = await repo.run({}, junit)
      expect(mixed.ran).toEqual(['tests/alpha.test.ts', 'tests/beta.test.ts'])
      expect([cases(), cachedCases()]).toEqual([6, 4])
      const xml = readFileSync(report, 'utf8')
      expect(xml).toMatch(/<testsuites [^>]*tests="6"/)
      expect(xml).toContain(
        '<testcase classname="tests/gamma.test.ts" name="[main] tests/gamma.test.ts" time="0">',
      )
      expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true)
      // Every file a hit: Vitest's report has no test, the hits are all there is.
      const warm = await repo.run({}, junit)
      expect(warm.fromCache).toEqual(ALL_FILES)
      expect([cases(), cachedCases()]).toEqual([6, 6])
      expect(warm.stderr).not.toContain('not in the JUnit report')
    },
  )

  test(
    'inputs: a file a test reads or a child process runs re-runs every file when it changes; a glob matching nothing is allowed',
    NESTED_RUNS,
    async () => {
      const repo = checkout()
      // A test that runs a script in a child process: Vitest never sees that script as a module.
      repo.write('tools/greet.mjs', "console.log('hello from the tool')\n")
      repo.write(
        'tests/spawns-tool.test.ts',
        [
          "import { execFileSync } from 'node:child_process'",
          "import { fileURLToPath } from 'node:url'",
          "import { expect, test } from 'vitest'",
          "test('runs the tool', () => {",
          "  const tool = fileURLToPath(new URL('../tools/greet.mjs', import.meta.url))",
          "  expect(execFileSync(process.execPath, [tool]).toString()).toContain('hello')",
          '})',
          '',
        ].join('\n'),
      )
      const inputs = {
        FIXTURE_CACHE_INPUTS: JSON.stringify(['data/**', 'tools/*.mjs', 'nothing/matches/**']),
      }
      const everything = ['runs the tool', ...ALL_FILES]
      const cold = await repo.run(inputs)
      expect(cold.code).toBe(0)
      expect(cold.ran).toEqual(everything)
      expect(cold.stderr).toContain('0 from cache, 7 run, 7 stored')
      expect((await repo.run(inputs)).fromCache).toEqual([...ALL_FILES, 'tests/spawns-tool.test.ts'].sort())
      // The tool changes: every file runs again (the cache cannot know which files run it).
      repo.write('tools/greet.mjs', "console.log('hello from the tool, again')\n")
      const tool = await repo.run(inputs)
      expect(tool.code).toBe(0)
      expect(tool.ran).toEqual(everything)
      expect(tool.stderr).toContain('0 from cache, 7 run, 7 stored')
      // The data file changes: it runs, and fails (without inputs this was a wrong hit: see the defect test).
      repo.write('data/flag.txt', 'broken\n')
      const data = await repo.run(inputs)
      expect(data.code).not.toBe(0)
      expect(data.fromCache).toEqual([])
      expect(data.status('data file')).toBe('failed')
      // Another list of globs is another key.
      const fewer = await repo.run({ FIXTURE_CACHE_INPUTS: JSON.stringify(['tools/*.mjs']) })
      expect(fewer.fromCache).toEqual([])
    },
  )

  test(
    'inputs: a glob outside the root, an absolute one or a malformed one is one error before any test runs',
    NESTED_RUNS,
    async () => {
      const repo = checkout()
      const refusals: Array<[unknown, string]> = [
        ['../elsewhere/**', "resultCache.inputs: '../elsewhere/**' is outside the root"],
        ['data/../../x', "resultCache.inputs: 'data/../../x' is outside the root"],
        ['/etc/**', "resultCache.inputs: '/etc/**' is outside the root"],
        ['data/[flag', "resultCache.inputs: 'data/[flag' is not a glob (unbalanced [ ] or { })"],
        ['', 'resultCache.inputs: "" is not a glob (expected a non-empty string)'],
      ]
      for (const [glob, message] of refusals) {
        const run = await repo.run({ FIXTURE_CACHE_INPUTS: JSON.stringify([glob]) })
        expect(run.code, message).not.toBe(0)
        expect(run.tests).toEqual([])
        expect(run.stderr).toContain(message)
        expect(run.stderr).not.toMatch(/postgres ready/)
      }
      const notAList = await repo.run({ FIXTURE_CACHE_INPUTS: '"data/**"' })
      expect(notAList.stderr).toContain('resultCache.inputs: expected a list of globs')
      expect(notAList.tests).toEqual([])
      expect(stored(repo.dir)).toEqual([])
      expect(processesIn(repo.dir)).toEqual([])
    },
  )

  test('changing one imported module re-runs exactly the files that load it', NESTED_RUNS, async () => {
    const repo = checkout()
    expect((await repo.run()).code).toBe(0)
    repo.write('src/shared.ts', "export const greeting = 'hello, again'\n")
    const shared = await repo.run()
    expect(shared.ran).toEqual(['tests/alpha.test.ts', 'tests/beta.test.ts'])
    expect(shared.fromCache).toEqual(without('tests/alpha.test.ts', 'tests/beta.test.ts'))
    expect(shared.stderr).toContain(': 4 from cache, 2 run, 2 stored')
    repo.write('src/alpha-only.ts', 'export const alpha = 2\n')
    const alpha = await repo.run()
    expect(alpha.ran).toEqual(['tests/alpha.test.ts'])
    // The test file itself is one of the modules it loads.
    repo.write('tests/gamma.test.ts', `${repo.read('tests/gamma.test.ts')}\n// edited\n`)
    expect((await repo.run()).ran).toEqual(['tests/gamma.test.ts'])
  })

  test(
    'changing an allowlisted variable re-runs what depends on it; another variable does not',
    NESTED_RUNS,
    async () => {
      const repo = checkout()
      expect((await repo.run()).code).toBe(0)
      const other = await repo.run({ SOME_UNLISTED_VARIABLE: 'x' })
      expect(other.ran).toEqual([])
      // FIXTURE_MODE is in the config's allowlist: every file of the suite can read it.
      const listed = await repo.run({ FIXTURE_MODE: 'quiet' })
      expect(listed.ran).toEqual(ALL_FILES)
      expect((await repo.run({ FIXTURE_MODE: 'quiet' })).ran).toEqual([])
    },
  )

  test('changing a migration re-runs the PostgreSQL files only', NESTED_RUNS, async () => {
    const repo = checkout()
    expect((await repo.run()).code).toBe(0)
    repo.write(
      'migrations/001_notes.sql',
      'CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL, at timestamptz);\n',
    )
    const run = await repo.run()
    expect(run.code).toBe(0)
    expect(run.ran).toEqual(['tests/notes.test.ts'])
    expect(run.stderr).toMatch(/postgres ready via binary/)
    // So does another provider order (it is in PostgreSQL's fingerprint).
    expect((await repo.run({ TESTBED_POSTGRES_PROVIDERS: 'binary,embedded' })).ran).toEqual([
      'tests/notes.test.ts',
    ])
  })

  test('a flaky pass (passed on a retry) is not stored', NESTED_RUNS, async () => {
    const repo = checkout()
    repo.write(
      'tests/flaky.test.ts',
      [
        "import { expect, test } from 'vitest'",
        'let attempts = 0',
        "test('passes on its second attempt', { retry: 1 }, () => {",
        '  attempts++',
        '  expect(attempts).toBe(2)',
        '})',
        '',
      ].join('\n'),
    )
    const cold = await repo.run()
    expect(cold.code).toBe(0)
    expect(cold.status('passes on its second attempt')).toBe('passed')
    expect(cold.stderr).toContain('0 from cache, 7 run, 6 stored')
    const warm = await repo.run()
    expect(warm.fromCache).toEqual(ALL_FILES)
    expect(warm.ran).toEqual(['passes on its second attempt'])
  })

  test('a failed file is never stored; a skip with a reason neither', NESTED_RUNS, async () => {
    const repo = checkout()
    const failing = await repo.run({ FIXTURE_MODE: 'fail' })
    expect(failing.code).not.toBe(0)
    expect(failing.status('fails when FIXTURE_MODE is fail')).toBe('failed')
    expect(failing.stderr).toContain('0 from cache, 6 run, 5 stored')
    const again = await repo.run({ FIXTURE_MODE: 'fail' })
    expect(again.ran).toEqual(['tests/fails-on-demand.test.ts'])
    expect(again.code).not.toBe(0)
    // No PostgreSQL to be had: the PostgreSQL test skips with its reason, and is not stored.
    const other = checkout()
    const skipping = await other.run({ TESTBED_POSTGRES_PROVIDERS: 'env' })
    expect(skipping.code).toBe(0)
    expect(skipping.status('notes table from the migrations')).toBe('skipped')
    expect(skipping.stderr).toContain('5 stored')
    expect((await other.run({ TESTBED_POSTGRES_PROVIDERS: 'env' })).fromCache).toEqual(
      without('tests/notes.test.ts'),
    )
  })

  test(
    'a sampled hit that fails is a cache defect, said loudly, and its entry is gone',
    NESTED_RUNS,
    async () => {
      const repo = checkout()
      expect((await repo.run()).code).toBe(0)
      // The file reads data/flag.txt at run time: no import, so not in its key.
      repo.write('data/flag.txt', 'broken\n')
      expect((await repo.run()).fromCache).toEqual(ALL_FILES)
      const verified = await repo.run({ TESTBED_CACHE_VERIFY: '1' })
      expect(verified.code).not.toBe(0)
      expect(verified.ran).toEqual(ALL_FILES)
      expect(verified.status('data file')).toBe('failed')
      expect(verified.stderr).toContain(
        `✖ CACHE DEFECT: [main] tests/data-file.test.ts was stored as passed at ${repo.head}`,
      )
      expect(verified.stderr).toContain('failed when re-run: its entry is removed')
      const after = await repo.run()
      expect(after.fromCache).toEqual(without('tests/data-file.test.ts'))
      expect(after.status('data file')).toBe('failed')
    },
  )

  test(
    'an unreachable store degrades to a cold run with a warning, never to wrong hits',
    NESTED_RUNS,
    async () => {
      const repo = checkout()
      expect((await repo.run()).code).toBe(0)
      // A path under a regular file: every read and write fails (ENOTDIR), as an unmounted cache would.
      const run = await repo.run({ FIXTURE_CACHE_STORE: join(repo.dir, 'data/flag.txt/cache') })
      expect(run.code).toBe(0)
      expect(run.ran).toEqual(ALL_FILES)
      expect(run.fromCache).toEqual([])
      expect(run.stderr).toMatch(
        /⚠ result cache: the store \(local .*\) could not be read, so 'main' runs cold: .*ENOTDIR/,
      )
      expect(run.stderr).toMatch(/⚠ result cache: the store \(local .*\) could not be written: .*ENOTDIR/)
    },
  )

  test(
    'TESTBED_CACHE: read stores nothing, CI defaults to read, off skips the cache, a bad value is one error',
    NESTED_RUNS,
    async () => {
      const repo = checkout()
      const read = await repo.run({ TESTBED_CACHE: 'read' })
      expect(read.code).toBe(0)
      expect(read.stderr).toContain(', read): 0 from cache, 6 run (looked up in ')
      expect(stored(repo.dir)).toEqual([])
      // A pull request's CI run (from a fork) must not write.
      const ci = await repo.run({ CI: 'true' })
      expect(ci.stderr).toContain(', read): 0 from cache, 6 run (looked up in ')
      expect(stored(repo.dir)).toEqual([])
      expect((await repo.run({ CI: 'true', TESTBED_CACHE: 'readwrite' })).stderr).toContain('6 stored')
      expect((await repo.run({ CI: 'true' })).fromCache).toEqual(ALL_FILES)
      const off = await repo.run({ TESTBED_CACHE: 'off' })
      expect(off.ran).toEqual(ALL_FILES)
      expect(off.stderr).not.toContain('Result cache')
      const bad = await repo.run({ TESTBED_CACHE: 'sometimes' })
      expect(bad.code).not.toBe(0)
      expect(bad.tests).toEqual([])
      expect(bad.stderr).toContain('TESTBED_CACHE=sometimes: expected off, read or readwrite')
      expect(bad.stderr).not.toMatch(/postgres ready/)
      const sample = await repo.run({ TESTBED_CACHE_VERIFY: '2' })
      expect(sample.code).not.toBe(0)
      expect(sample.tests).toEqual([])
      expect(sample.stderr).toContain('TESTBED_CACHE_VERIFY=2: expected a number from 0 to 1')
    },
  )
})

describe('result cache under the policy', { tags: ['tier2'] }, () => {
  test(
    'TESTBED_CACHE=off is a cache bypass: refused where the policy forbids one, and recorded',
    NESTED_RUNS,
    async () => {
      const repo = policyRepo(policy())
      repo.lock()
      const run = await runVitest({
        fixture: repo.dir,
        args: ['--project', 'main', 'tests/echo.test.ts'],
        env: { TESTBED_CACHE: 'off' },
      })
      expectRefusedBeforeTests(run, '[main] TESTBED_CACHE=off: cache bypass not allowed under the policy')
      expect(repo.audit()).toMatchObject([
        { what: 'TESTBED_CACHE=off', rule: 'restrictions.allowCacheBypass', outcome: 'refused' },
      ])
    },
  )
})
