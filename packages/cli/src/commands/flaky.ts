// `testbed flaky [--window N] [--days N] [--min-runs K] [--json] [--store S] [--prune-before DATE]`:
// each test's and the suite's flaky rate over the last runs of the history that test runs append to
// (.testbed/history.jsonl, or the result cache's shared store; docs/flakiness.md), or a prune of it.
import {
  CorruptHistory,
  DEFAULT_FLAKY_OPTIONS,
  flakyLines,
  flakyReport,
  type HistoryStore,
  type TestOutcomeRecord,
} from '@testbed/core/config'
import { CliError } from '../cli-error.js'
import { flakyStore } from './flaky-store.js'

export interface FlakyCommandOptions {
  cwd: string
  config?: string
  /** As cac parsed them: a number, or the text that was not one. */
  window?: unknown
  days?: unknown
  minRuns?: unknown
  json: boolean
  store?: unknown
  pruneBefore?: unknown
}

const DAY_MS = 86_400_000

/** A whole number ≥ 1 from an option (undefined when not given), or the one-line usage error naming it. */
function count(value: unknown, option: string, unit = 'runs'): number | undefined {
  if (value === undefined) return undefined
  const n = typeof value === 'number' ? value : Number.NaN
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`${option} must be a whole number of ${unit}, at least 1 (got '${String(value)}')`, 2)
  return n
}

/** `2026-11-01` (midnight UTC) or a full ISO 8601 time. */
function date(value: unknown): Date {
  const text = String(value)
  const parsed = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)
    ? new Date(text.length === 10 ? `${text}T00:00:00Z` : text)
    : undefined
  if (!parsed || Number.isNaN(parsed.getTime()) || value === true)
    throw new CliError(
      `--prune-before must be a date (2026-11-01) or an ISO 8601 time (2026-11-01T12:00:00Z) (got '${value === true ? '' : text}')`,
      2,
    )
  return parsed
}

/** A store that cannot be reached or read is one error naming it. */
async function fromStore<T>(store: HistoryStore, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof CorruptHistory) throw new CliError(`the history is damaged: ${error.message}`)
    throw new CliError(`the history at ${store.location} could not be ${what}: ${(error as Error).message}`)
  }
}

export async function runFlaky(options: FlakyCommandOptions): Promise<number> {
  const window = count(options.window, '--window') ?? DEFAULT_FLAKY_OPTIONS.window
  const minRuns = count(options.minRuns, '--min-runs') ?? DEFAULT_FLAKY_OPTIONS.minRuns
  const days = count(options.days, '--days', 'days')
  const before = options.pruneBefore === undefined ? undefined : date(options.pruneBefore)
  if (options.store !== undefined && (typeof options.store !== 'string' || !options.store))
    throw new CliError('--store needs a value: s3://bucket/prefix or a local path', 2)
  const store = await flakyStore(options.cwd, options.config, options.store)

  if (before) {
    const pruned = await fromStore(store, 'pruned', () => store.prune(before))
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ location: store.location, before: before.toISOString(), ...pruned }, null, 2)}\n`
        : `Pruned ${store.location}: ${pruned.removed} runs that ended before ${before.toISOString()} removed, ${pruned.kept} kept\n`,
    )
    return 0
  }

  const since = days ? new Date(Date.now() - days * DAY_MS) : undefined
  const history: TestOutcomeRecord[] = await fromStore(store, 'read', () =>
    store.read({ runs: window, ...(since && { since }) }),
  )
  if (!history.length)
    throw new CliError(
      since
        ? `no runs in the last ${days} days at ${store.location}`
        : `no history at ${store.location}: each test run appends to it; run the tests first`,
    )
  const report = flakyReport(history, { ...DEFAULT_FLAKY_OPTIONS, window, minRuns })
  process.stdout.write(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${flakyLines(report, store.location).join('\n')}\n`,
  )
  return 0
}
