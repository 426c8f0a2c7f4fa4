// A failed run: FAILED with its error, and its next attempt scheduled while attempts are left, in the
// caller's transaction. The same for a run that failed on its worker and for one whose worker was lost.
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { lockUsage, recordConcurrency } from './quotas.ts'
import { type Run, recordTransition, transition } from './run-states.ts'

/** Attempts after the first; retry n waits RETRY_DELAY_MS · 2^(n-1). */
export const MAX_RETRIES = 3
export const RETRY_DELAY_MS = 60_000

export interface Retry {
  run_id: string
  retry_attempt: number
  scheduled_time: Date
}

export async function failWithRetry(client: pg.PoolClient, run: Run, message: string, now: Date) {
  const failed = { ...run, state: 'RUNNING' as Run['state'] }
  await transition(client, failed, 'FAILED', now, { error_message: message })
  let retry: Retry | undefined
  if (run.retry_attempt < MAX_RETRIES) {
    const attempt = run.retry_attempt + 1
    retry = {
      run_id: `run_${randomUUID()}`,
      retry_attempt: attempt,
      scheduled_time: new Date(now.getTime() + RETRY_DELAY_MS * 2 ** (attempt - 1)),
    }
    await client.query(
      `INSERT INTO scheduled_pipeline_runs
         (run_id, config_id, customer_id, slot_time, scheduled_time, state, retry_attempt, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'SCHEDULED', $6, $7, $7)`,
      [retry.run_id, run.config_id, run.customer_id, run.slot_time, retry.scheduled_time, attempt, now],
    )
    await recordTransition(client, retry.run_id, null, 'SCHEDULED', now)
  }
  await recordConcurrency(client, await lockUsage(client, run.customer_id, now))
  return { ...run, state: 'FAILED' as const, error_message: message, lease_expires_at: null, retry }
}
