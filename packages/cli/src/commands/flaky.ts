// `testbed flaky [--window N] [--min-runs K] [--json]`: each test's and the suite's flaky rate over the
// last N runs of the history that test runs append to (.testbed/history.jsonl; docs/flakiness.md).
import {
  CorruptHistory,
  DEFAULT_FLAKY_OPTIONS,
  flakyLines,
  flakyReport,
  HISTORY_VARIABLE,
  historyStore,
} from '@testbed/core/config'
import { CliError } from '../cli-error.js'
import { configRoot } from '../config-root.js'

export interface FlakyCommandOptions {
  cwd: string
  config?: string
  /** As cac parsed them: a number, or the text that was not one. */
  window?: unknown
  minRuns?: unknown
  json: boolean
}

/** A whole number ≥ 1 from an option, or the one-line usage error naming it. */
function count(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = typeof value === 'number' ? value : Number.NaN
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`${option} must be a whole number of runs, at least 1 (got '${String(value)}')`, 2)
  return n
}

export async function runFlaky(options: FlakyCommandOptions): Promise<number> {
  const window = count(options.window, '--window', DEFAULT_FLAKY_OPTIONS.window)
  const minRuns = count(options.minRuns, '--min-runs', DEFAULT_FLAKY_OPTIONS.minRuns)
  const store = historyStore(configRoot(options.cwd, options.config))
  if (!store)
    throw new CliError(`${HISTORY_VARIABLE} is off: no history is kept, so there is nothing to report`)
  let history: Awaited<ReturnType<typeof store.read>>
  try {
    history = await store.read()
  } catch (error) {
    if (error instanceof CorruptHistory) throw new CliError(`the history is damaged: ${error.message}`)
    throw error
  }
  if (!history.length)
    throw new CliError(`no history at ${store.location}: each test run appends to it; run the tests first`)
  const report = flakyReport(history, { ...DEFAULT_FLAKY_OPTIONS, window, minRuns })
  process.stdout.write(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${flakyLines(report, store.location).join('\n')}\n`,
  )
  return 0
}
