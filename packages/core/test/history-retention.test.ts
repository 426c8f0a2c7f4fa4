// TESTBED_HISTORY_KEEP_DAYS from real runs: a run that appended prunes the runs older than that many
// days from its history; a bad value is a warning, the run green and nothing pruned.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const fixture = fixturePath('flaky-history')

/** A history holding one run of 40 days ago and one of 2 days ago. */
function seeded(): string {
  const file = join(scratchDir('history-retention'), 'history.jsonl')
  const line = (run: string, daysAgo: number) =>
    JSON.stringify({
      v: 1,
      run,
      at: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
      commit: 'c0ffee',
      pipeline: 'history',
      file: 'steady.test.ts',
      test: 'always passes',
      outcome: 'passed',
      retries: 0,
      durationMs: 1,
    })
  writeFileSync(file, `${line('forty-days-ago', 40)}\n${line('two-days-ago', 2)}\n`)
  return file
}

const runsIn = (file: string) => [
  ...new Set(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).run),
  ),
]

describe('TESTBED_HISTORY_KEEP_DAYS', { tags: ['tier3'] }, () => {
  test('a run prunes the runs older than the days from the history it appended to', async () => {
    const history = seeded()
    const run = await runVitest({
      fixture,
      env: { TESTBED_HISTORY: history, TESTBED_HISTORY_KEEP_DAYS: '30', TESTBED_COMMIT: 'aaaa' },
    })
    expect(run.status('always passes')).toBe('passed')
    const runs = runsIn(history)
    expect(runs).toHaveLength(2)
    expect(runs[0]).toBe('two-days-ago')
    expect(run.stderr).toContain(
      `   (1 run older than 30 days pruned from ${history}: TESTBED_HISTORY_KEEP_DAYS)`,
    )
  })

  test('a value that is not a whole number of days: a warning, a green run, nothing pruned', async () => {
    const history = seeded()
    const run = await runVitest({
      fixture,
      env: { TESTBED_HISTORY: history, TESTBED_HISTORY_KEEP_DAYS: '30d', TESTBED_COMMIT: 'aaaa' },
    })
    expect(run.status('always passes')).toBe('passed')
    expect(run.stderr).toContain(
      ' ⚠ Flakiness: TESTBED_HISTORY_KEEP_DAYS=30d: expected a whole number of days, at least 1; nothing pruned',
    )
    expect(runsIn(history).slice(0, 2)).toEqual(['forty-days-ago', 'two-days-ago'])
  })
})
