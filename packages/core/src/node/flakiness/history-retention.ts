// TESTBED_HISTORY_KEEP_DAYS: a run that appended to a history prunes the runs older than that many
// days from it, so that a CI's trusted runs keep the history (and a shared one's listing) bounded
// without a scheduled `testbed flaky --prune-before`.
import type { HistoryStore } from './history-store.js'

export const KEEP_DAYS_VARIABLE = 'TESTBED_HISTORY_KEEP_DAYS'
const DAY_MS = 86_400_000

/**
 * After a run's append: the runs older than TESTBED_HISTORY_KEEP_DAYS removed from `store`, and the
 * summary's line saying so (none when nothing was). A bad value or a failed prune is a warning line:
 * the history is never worth a run's result.
 */
export async function pruneByRetention(
  store: HistoryStore,
  env: NodeJS.ProcessEnv = process.env,
  now = Date.now(),
): Promise<string | undefined> {
  const value = env[KEEP_DAYS_VARIABLE]?.trim()
  if (!value) return undefined
  const days = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(days) || days < 1)
    return ` ⚠ Flakiness: ${KEEP_DAYS_VARIABLE}=${env[KEEP_DAYS_VARIABLE]}: expected a whole number of days, at least 1; nothing pruned`
  const before = new Date(now - days * DAY_MS)
  try {
    const { removed } = await store.prune(before)
    return removed
      ? `   (${removed} ${removed === 1 ? 'run' : 'runs'} older than ${days} days pruned from ${store.location}: ${KEEP_DAYS_VARIABLE})`
      : undefined
  } catch (error) {
    return ` ⚠ Flakiness: the runs older than ${days} days could not be pruned from ${store.location} (${(error as Error).message})`
  }
}
