// Which history a run appends to and a report reads (docs/flakiness.md, "Where the history is kept"):
//   TESTBED_HISTORY=off         none at all
//   TESTBED_HISTORY=<path>      that local file, whatever the result cache's store
//   a shared store (S3)         its history, when the run may write the cache (TESTBED_CACHE=readwrite);
//                               a run that may only read it appends to the local file instead, so an
//                               untrusted run (a fork's pull request) cannot hide a flaky test
//   otherwise                   .testbed/history.jsonl
import { type CacheMode, cacheMode } from '../result-cache/cache-mode.js'
import type { ResultStore } from '../result-cache/store.js'
import { HISTORY_VARIABLE, type HistoryStore, historyStore } from './history-store.js'

export interface RunHistoryTarget {
  /** Where the run appends its outcomes. */
  write: HistoryStore
  /** Where the summary's window is read. */
  read: HistoryStore
  /** `read` is the shared history this run may not write: its own outcomes are added to the window in memory. */
  readOnly: boolean
  /** Where the outcomes go when the shared history cannot be written: the checkout's file. */
  fallback?: HistoryStore
}

/** The history a run keeps, given its result cache's store and mode (none: no cache configured). */
export function runHistoryTarget(
  root: string,
  cache: { mode: CacheMode; store: ResultStore } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): RunHistoryTarget | undefined {
  const local = historyStore(root, env)
  if (!local) return undefined
  const shared = cache && cache.mode !== 'off' ? cache.store.history : undefined
  if (!shared || env[HISTORY_VARIABLE]?.trim()) return { write: local, read: local, readOnly: false }
  if (cache?.mode === 'readwrite') return { write: shared, read: shared, readOnly: false, fallback: local }
  return { write: local, read: shared, readOnly: true }
}

/**
 * The history `testbed flaky` reads: TESTBED_HISTORY's file when set, else the shared history of the
 * config's result-cache store (unless TESTBED_CACHE=off), else the checkout's .testbed/history.jsonl.
 */
export function reportHistoryStore(
  root: string,
  resultCache: { store?: ResultStore | string; mode?: CacheMode } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): HistoryStore | undefined {
  const local = historyStore(root, env)
  if (!local || env[HISTORY_VARIABLE]?.trim()) return local
  const store = resultCache?.store
  if (typeof store === 'object' && store.history && cacheMode(resultCache?.mode, env) !== 'off')
    return store.history
  return local
}
