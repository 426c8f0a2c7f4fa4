// A RUNNING run is its worker's under a lease (`lease_expires_at`, by the service's clock). The worker
// renews it while it runs the run; a worker that dies stops renewing, and once the lease has expired
// the next processing takes the run back: FAILED ("worker lost"), with a retry like any failure.
// The claim's token is the run's `pipeline_logging_id`, new with each claim: a worker writes its
// run's end only while the run is still RUNNING under its token, so a run taken back from a worker
// that was slow rather than dead is never completed twice.
import type pg from 'pg'
import type { Clock } from './clock.ts'
import { inTransaction } from './db.ts'
import { failWithRetry } from './retries.ts'
import type { Run } from './run-states.ts'

/** How long a claim holds without renewal. */
export const LEASE_MS = 5 * 60_000
/** How often (wall time) a worker renews the leases of the runs it runs (`SCHEDULER_LEASE_RENEW_MS`). */
export const RENEW_EVERY_MS = 60_000

export const leaseUntil = (now: Date) => new Date(now.getTime() + LEASE_MS)

/**
 * Locks the run for its end while it is still this claim's (RUNNING, the same token); false when it
 * was taken back. A run whose worker holds it in a transaction is skipped by `reclaimExpired`.
 */
export async function holdsClaim(client: pg.PoolClient, run: Run): Promise<boolean> {
  const { rowCount } = await client.query(
    `SELECT 1 FROM scheduled_pipeline_runs
     WHERE run_id = $1 AND state = 'RUNNING' AND pipeline_logging_id = $2 FOR UPDATE`,
    [run.run_id, run.pipeline_logging_id],
  )
  return rowCount === 1
}

/** Extends the claim's lease from now; nothing when the run is no longer this claim's. */
export async function renewLease(pool: pg.Pool, clock: Clock, run: Run): Promise<void> {
  await pool.query(
    `UPDATE scheduled_pipeline_runs SET lease_expires_at = $3
     WHERE run_id = $1 AND state = 'RUNNING' AND pipeline_logging_id = $2`,
    [run.run_id, run.pipeline_logging_id, leaseUntil(clock.now())],
  )
}

/** Takes back every RUNNING run whose lease expired by `now`: FAILED, and a retry scheduled. */
export async function reclaimExpired(pool: pg.Pool, now: Date) {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<Run>(
      `SELECT * FROM scheduled_pipeline_runs WHERE state = 'RUNNING' AND lease_expires_at <= $1
       ORDER BY lease_expires_at, run_id FOR UPDATE SKIP LOCKED`,
      [now],
    )
    const reclaimed = []
    for (const run of rows) {
      const expired = (run.lease_expires_at as Date).toISOString()
      reclaimed.push(await failWithRetry(client, run, `worker lost: lease expired at ${expired}`, now))
    }
    return reclaimed
  })
}
