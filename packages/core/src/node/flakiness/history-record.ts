/**
 * One test's outcome in one run, as the history keeps it (one JSON line each). `flaky` is a pass that
 * needed a retry. A skip keeps its reason (a cache hit is a skip whose reason starts `cached:`); skips
 * are kept for the record but never count as runs of the test.
 */
export interface TestOutcomeRecord {
  /** The record's shape; a reader skips versions it does not know. */
  v: 1
  /** The run's id: every record of one Vitest run (or one `--merge-reports`) shares it. */
  run: string
  /** When the run ended, ISO 8601. */
  at: string
  /** `git rev-parse HEAD` of the checkout, or `TESTBED_COMMIT`; null outside a repository. */
  commit: string | null
  /** The checkout had changes to tracked files: the code was not the commit's, so a failure on it
   * is not contradicted by a pass on the same commit. */
  dirty?: boolean
  /** The Vitest project: the pipeline. */
  pipeline: string
  /** `2/3` when the test ran in a shard. */
  shard?: string
  /** The file, relative to the config's root, with forward slashes. */
  file: string
  /** The test's full name (describe blocks and test, space-separated, as Vitest names it). */
  test: string
  outcome: 'passed' | 'failed' | 'flaky' | 'skipped'
  /** Retries taken: the attempts beyond the first. */
  retries: number
  /** A skip's reason (Testbed's, `ctx.skip(note)`'s, or a cache hit's). */
  reason?: string
  durationMs: number
}

/** A test across runs: pipeline, file and full name (Vitest's ids shift when a file gains a test). */
export const testKey = (r: Pick<TestOutcomeRecord, 'pipeline' | 'file' | 'test'>) =>
  `${r.pipeline}\0${r.file}\0${r.test}`

export function isRecord(value: unknown): value is TestOutcomeRecord {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Record<string, unknown>
  return (
    r.v === 1 &&
    typeof r.run === 'string' &&
    typeof r.pipeline === 'string' &&
    typeof r.file === 'string' &&
    typeof r.test === 'string' &&
    (r.outcome === 'passed' || r.outcome === 'failed' || r.outcome === 'flaky' || r.outcome === 'skipped')
  )
}
