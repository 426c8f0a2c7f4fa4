// What a result-cache store holds and the interface every store implements. Core defines it; a
// store that needs a client core does not depend on (S3: @testbed/s3's `s3ResultStore`) lives in
// that client's package and is passed in through `defineTestbed({ resultCache: { store } })`.
import type { HistoryStore } from '../flakiness/history-store.js'

/** One file's stored pass: the record its key was computed over, and where and when it passed. */
export interface CacheEntry {
  /** SHA-256 (hex) over the RFC 8785 form of `record`. */
  digest: string
  record: CacheRecord
  /** The commit (short) the file passed at; `unknown` outside a Git checkout. */
  commit: string
  /** ISO date of the run that stored it. */
  date: string
}

/** Everything that can change a test file's result (see docs/result-cache.md). */
export interface CacheRecord {
  version: 1
  project: string
  /** The test file, relative to the root. */
  file: string
  /** Each module the file loaded (recorded by Vitest in the run that stored it) → SHA-256 of its content. */
  modules: Record<string, string>
  /** The config's own files (vitest.config.ts and what it imports) → SHA-256. */
  config: Record<string, string>
  lockfile: string | null
  runtime: { vitest: string; node: string; platform: string; arch: string }
  /** The resolved tags filter (the command line's and the pipeline's selection). */
  tagsFilter: string[]
  strictness: { require: string[]; requireFromEnv: string[]; real: string[] }
  /** The allowlisted variables → their value (null: unset). */
  env: Record<string, string | null>
  /** Each service the file's tests need → its fingerprint, known without starting it. */
  services: Record<string, unknown>
}

/** Where entries live; keys are opaque hex strings (the lookup key of a project's file). */
export interface ResultStore {
  /** Shown in warnings and the summary: `local .testbed/cache`, `s3://bucket/prefix`. */
  readonly description: string
  /** The entries found among `keys` (absent ones are left out). An unreachable store throws. */
  getMany(keys: readonly string[]): Promise<Map<string, CacheEntry>>
  put(key: string, entry: CacheEntry): Promise<void>
  delete(key: string): Promise<void>
  /**
   * The flakiness history kept beside the entries (docs/flakiness.md), for a store that many
   * machines share (S3): runs that may write the cache append their outcomes there. A local
   * directory has none: the checkout's `.testbed/history.jsonl` is its history.
   */
  readonly history?: HistoryStore
}
