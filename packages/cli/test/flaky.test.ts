// `testbed flaky` through the real bin against a history of known counts in a checkout of the
// fixture repository (.testbed/history.jsonl, where test runs append it), and each bad input's one
// error. core's test/flaky-history.test.ts makes histories from real runs; this one checks the command.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { processesIn } from './ci-support.ts'
import { checkout, testbed } from './testbed-command.ts'

let repo: ReturnType<typeof checkout>
beforeEach(() => {
  repo = checkout()
})
afterEach(() => repo.remove())

const historyFile = () => join(repo.dir, '.testbed', 'history.jsonl')

/** `runs` runs of two tests on one commit: `shaky` flaky (passed on retry) in `flakyRuns` of them. */
function writeHistory(runs: number, flakyRuns: number, extra = ''): void {
  const lines: string[] = []
  for (let i = 0; i < runs; i++) {
    const base = {
      v: 1,
      run: `run-${i}`,
      at: `2026-12-01T10:${String(i).padStart(2, '0')}:00Z`,
      commit: 'c0ffee',
    }
    const common = { ...base, pipeline: 'main', file: 'test/a.test.ts', retries: 0, durationMs: 5 }
    lines.push(JSON.stringify({ ...common, test: 'steady', outcome: 'passed' }))
    lines.push(
      JSON.stringify({
        ...common,
        test: 'shaky',
        ...(i < flakyRuns ? { outcome: 'flaky', retries: 1 } : { outcome: 'passed' }),
      }),
    )
    // A cache hit: never a run.
    lines.push(
      JSON.stringify({
        ...common,
        test: 'cached one',
        outcome: 'skipped',
        reason: 'cached: passed at c0ffee',
      }),
    )
  }
  mkdirSync(join(repo.dir, '.testbed'), { recursive: true })
  writeFileSync(historyFile(), `${lines.join('\n')}\n${extra}`)
}

describe('testbed flaky', { tags: ['e2e'] }, () => {
  test("each test's and the suite's rate with its Wilson interval, the tests over the budget named", async () => {
    writeHistory(20, 2)
    const { code, stdout, stderr } = await testbed(['flaky'], repo.dir)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout.trimEnd().split('\n').slice(1)).toEqual([
      '  suite: 2 flaky of 40 test runs, 5 % (95 % CI 1.38 %–16.5 %); 2 of 20 runs had a flaky test',
      '  over the 1 % budget (at least 5 runs):',
      '    ⚠ [main] test/a.test.ts > shaky: 2 of 20 runs flaky, 10 % (95 % CI 2.79 %–30.1 %; 2 passed on retry)',
    ])
    expect(stdout).toContain(`Flakiness over the last 20 runs of ${historyFile()}`)
    expect(stdout).not.toContain('cached one')
  })

  test('--json, --window and --min-runs', async () => {
    writeHistory(20, 2)
    const { code, stdout } = await testbed(
      ['flaky', '--json', '--window', '10', '--min-runs', '30'],
      repo.dir,
    )
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    // The last 10 runs hold no flaky one (the two were the first runs).
    expect(report.window.runs).toBe(10)
    expect(report.suite).toMatchObject({ testRuns: 20, flaky: 0, flakyRuns: 0 })
    expect(report.tooFewRuns).toBe(2)
    expect(report.overBudget).toEqual([])
    const whole = JSON.parse((await testbed(['flaky', '--json'], repo.dir)).stdout)
    expect(
      whole.tests.map((t: { test: string; runs: number; flaky: number }) => [t.test, t.runs, t.flaky]),
    ).toEqual([
      ['shaky', 20, 2],
      ['steady', 20, 0],
    ])
    expect(whole.suite.interval.lower).toBeCloseTo(0.0138, 4)
  })

  test('--days, --store (a directory or a file) and --prune-before on the local file', async () => {
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString()
    const line = (run: string, at: string, outcome: string) =>
      JSON.stringify({
        v: 1,
        run,
        at,
        commit: 'c0ffee',
        pipeline: 'main',
        file: 'test/a.test.ts',
        test: 'shaky',
        outcome,
        retries: outcome === 'flaky' ? 1 : 0,
        durationMs: 5,
      })
    mkdirSync(join(repo.dir, '.testbed'), { recursive: true })
    writeFileSync(
      historyFile(),
      `${[line('old', hoursAgo(24 * 10), 'flaky'), line('recent', hoursAgo(1), 'passed')].join('\n')}\n`,
    )
    const report = async (...args: string[]) => {
      const { code, stdout, stderr } = await testbed(['flaky', '--json', ...args], repo.dir)
      expect([code, stderr]).toEqual([0, ''])
      return JSON.parse(stdout).suite
    }
    expect(await report()).toMatchObject({ testRuns: 2, flaky: 1 })
    expect(await report('--days', '2')).toMatchObject({ testRuns: 1, flaky: 0 })
    expect(await report('--store', '.testbed')).toMatchObject({ testRuns: 2, flaky: 1 })
    expect(await report('--store', historyFile(), '--days', '30')).toMatchObject({ testRuns: 2 })

    const cut = hoursAgo(24)
    const pruned = await testbed(['flaky', '--prune-before', cut], repo.dir)
    expect(pruned.stderr).toBe('')
    expect(pruned.stdout).toBe(
      `Pruned ${historyFile()}: 1 runs that ended before ${new Date(cut).toISOString()} removed, 1 kept\n`,
    )
    expect(await report()).toMatchObject({ testRuns: 1, flaky: 0 })
    expect(readdirSync(join(repo.dir, '.testbed'))).toEqual(['history.jsonl'])
  })

  /** One line on stderr, a non-zero exit, nothing on stdout, nothing left running, nothing written. */
  async function oneError(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<[number | null, string]> {
    const before = readdirSync(repo.dir).sort()
    const { code, stdout, stderr } = await testbed(args, repo.dir, env)
    expect(stdout).toBe('')
    const lines = stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(processesIn(repo.dir)).toEqual([])
    expect(readdirSync(repo.dir).sort()).toEqual(before)
    return [code, lines[0] as string]
  }

  test('bad options: --window 0, --min-runs that is not a number', async () => {
    writeHistory(3, 0)
    expect(await oneError(['flaky', '--window', '0'])).toEqual([
      2,
      "testbed: --window must be a whole number of runs, at least 1 (got '0')",
    ])
    expect(await oneError(['flaky', '--min-runs', 'many'])).toEqual([
      2,
      "testbed: --min-runs must be a whole number of runs, at least 1 (got 'many')",
    ])
    expect(await oneError(['flaky', '--days', '1.5'])).toEqual([
      2,
      "testbed: --days must be a whole number of days, at least 1 (got '1.5')",
    ])
    expect(await oneError(['flaky', '--prune-before', '2026-13-45'])).toEqual([
      2,
      "testbed: --prune-before must be a date (2026-11-01) or an ISO 8601 time (2026-11-01T12:00:00Z) (got '2026-13-45')",
    ])
    expect(await oneError(['flaky', '--store', 'https://example.com/history'])).toEqual([
      2,
      "testbed: --store must be s3://bucket/prefix or a local path (got 'https://example.com/history')",
    ])
  })

  test('no history, a damaged one, and TESTBED_HISTORY=off', async () => {
    expect(await oneError(['flaky'])).toEqual([
      1,
      `testbed: no history at ${historyFile()}: each test run appends to it; run the tests first`,
    ])
    writeHistory(3, 0, 'not json\n{"v":1}\n')
    expect(await oneError(['flaky'])).toEqual([
      1,
      `testbed: the history is damaged: ${historyFile()} line 10: not a JSON line`,
    ])
    expect(await oneError(['flaky'], { TESTBED_HISTORY: 'off' })).toEqual([
      1,
      'testbed: TESTBED_HISTORY is off: no history is kept, so there is nothing to report',
    ])
  })
})
