import { join } from 'node:path'
import { type NestedRun, runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { flakyReport } from '../src/node/flakiness/flaky-report.ts'
import { LocalHistoryStore } from '../src/node/flakiness/history-store.ts'
import { wilsonInterval } from '../src/node/flakiness/wilson.ts'
import { fixturePath } from './fixture-path.ts'

const fixture = fixturePath('flaky-history')

describe('the flakiness history, from real runs', { tags: ['tier3'] }, () => {
  test('a pass on a retry and a failure contradicted on its commit are flaky; a steady test and skips are not', async () => {
    const history = join(scratchDir('flaky-history'), 'history.jsonl')
    const run = (commit: string, env: Record<string, string> = {}) =>
      runVitest({ fixture, env: { TESTBED_HISTORY: history, TESTBED_COMMIT: commit, ...env } })
    // One after another: the history's order is the runs' order.
    const runs: NestedRun[] = []
    runs.push(await run('aaaa'))
    runs.push(await run('aaaa', { FIXTURE_WOBBLE: 'fail' }))
    runs.push(await run('bbbb', { FIXTURE_WOBBLE: 'fail' }))
    runs.push(await run('cccc'))
    runs.push(await run('cccc'))
    expect(runs.map((r) => r.status('fails when told to'))).toEqual([
      'passed',
      'failed',
      'failed',
      'passed',
      'passed',
    ])
    expect(runs.map((r) => r.status('passes on its retry'))).toEqual(Array(5).fill('passed'))

    const records = await new LocalHistoryStore(history).read()
    expect(new Set(records.map((r) => r.run)).size).toBe(5)
    // Skips are recorded with their reason (a cache hit's among them); `.skip`-like ones are not runs.
    const skips = records.filter((r) => r.outcome === 'skipped')
    expect(skips.map((r) => r.reason?.split(':')[0]).sort()).toEqual([
      ...Array(5).fill('cached'),
      ...Array(5).fill('offline unavailable'),
    ])
    const retried = records.filter((r) => r.test === 'passes on its retry')
    expect(retried.map((r) => [r.outcome, r.retries])).toEqual(Array(5).fill(['flaky', 1]))
    expect(records.every((r) => r.pipeline === 'history' && r.shard === undefined && !r.dirty)).toBe(true)

    const report = flakyReport(records, { window: 100, minRuns: 5, budget: 0.01 })
    const byName = Object.fromEntries(report.tests.map((t) => [t.test, t]))
    // Skips never count as runs: neither skipped test is in the report.
    expect(Object.keys(byName).sort()).toEqual(['always passes', 'fails when told to', 'passes on its retry'])
    expect(byName['passes on its retry']).toMatchObject({
      runs: 5,
      flaky: 5,
      passedOnRetry: 5,
      overBudget: true,
    })
    expect(byName['always passes']).toMatchObject({ runs: 5, flaky: 0, overBudget: false })
    // Failed on aaaa where it also passed: flaky. Failed on bbbb, where it never passed: a failure.
    expect(byName['fails when told to']).toMatchObject({
      runs: 5,
      flaky: 1,
      contradicted: 1,
      overBudget: true,
    })
    expect(report.suite).toMatchObject({ testRuns: 15, flaky: 6, flakyRuns: 5 })
    expect(report.suite.interval).toEqual(wilsonInterval(6, 15))
    expect(report.overBudget.map((t) => t.test).sort()).toEqual(['fails when told to', 'passes on its retry'])
    // A window of the last run only: the retried test is its one flaky run.
    const last = flakyReport(records, { window: 1, minRuns: 1, budget: 0.01 })
    expect(last.suite).toMatchObject({ testRuns: 3, flaky: 1 })

    // The summary's section at the end of the last run, over all five (the default minimum: 5 runs).
    const summary = runs[4]?.stderr ?? ''
    expect(summary).toContain(
      ` Flakiness (last 5 runs, ${history}): 6 of 15 test runs flaky, 40 % (95 % CI 19.8 %–64.3 %)`,
    )
    expect(summary).toContain(
      '   ⚠ over the 1 % budget: [history] retried.test.ts > passes on its retry (5 of 5 runs, 100 %)',
    )
    expect(summary).toContain(
      '   ⚠ over the 1 % budget: [history] wobbly.test.ts > fails when told to (1 of 5 runs, 20 %)',
    )
    // Before the fifth run no test had 5 runs: none was judged.
    expect(runs[3]?.stderr).not.toContain('over the 1 % budget')
  })

  test('TESTBED_HISTORY=off keeps no history and prints no section', async () => {
    const run = await runVitest({ fixture, env: { TESTBED_HISTORY: 'off' } })
    expect(run.status('always passes')).toBe('passed')
    expect(run.stderr).not.toContain('Flakiness')
  })
})

describe('the Wilson score interval', { tags: ['tier1'] }, () => {
  // Newcombe, "Two-sided confidence intervals for the single proportion" (Statistics in Medicine,
  // 1998), table I, method 3 (score interval without continuity correction), 95 %.
  test.for([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ] as const)('%i of %i: %f to %f, as Newcombe published it', ([k, n, lower, upper]) => {
    const interval = wilsonInterval(k, n)
    expect(interval.lower).toBeCloseTo(lower, 4)
    expect(interval.upper).toBeCloseTo(upper, 4)
  })

  test('a failure in a checkout with changes is not contradicted by a pass on its commit', () => {
    const base = {
      v: 1,
      at: '2026-12-01T00:00:00Z',
      commit: 'aaaa',
      pipeline: 'p',
      file: 'f.ts',
      test: 't',
    } as const
    const passed = { ...base, run: '1', outcome: 'passed', retries: 0, durationMs: 1 } as const
    const failed = { ...base, run: '2', outcome: 'failed', retries: 0, durationMs: 1 } as const
    const options = { window: 10, minRuns: 1, budget: 0.01 }
    expect(flakyReport([passed, { ...failed, dirty: true }], options).suite).toMatchObject({
      testRuns: 2,
      flaky: 0,
    })
    expect(flakyReport([passed, failed], options).suite).toMatchObject({ testRuns: 2, flaky: 1 })
  })

  test('no trial says nothing; k outside 0..n is refused', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 })
    expect(wilsonInterval(5, 5).upper).toBe(1)
    expect(() => wilsonInterval(3, 2)).toThrow('wilsonInterval(3, 2): need whole numbers with 0 ≤ k ≤ n')
  })
})
