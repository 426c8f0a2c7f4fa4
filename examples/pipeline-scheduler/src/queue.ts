// The queue: runs SCHEDULED (or PENDING, waiting for a concurrency slot) whose time has come.
// Processing claims one run at a time with FOR UPDATE SKIP LOCKED, so concurrent processing never
// takes the same run, and a run leaves the queue only in the transaction that makes it RUNNING
// under a lease. The claimed runs are handed to the service's workers, which run them in the background.
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { inTransaction } from './db.ts'
import { badRequest } from './errors.ts'
import type { Executor, RunOutcome } from './executor.ts'
import { leaseUntil, reclaimExpired } from './leases.ts'
import { lockUsage, recordConcurrency } from './quotas.ts'
import { type Run, STATES, transition } from './run-states.ts'
import type { Workers } from './workers.ts'

/** The next due run (not one of `passed`): SCHEDULED → PENDING, then RUNNING if a slot is free. */
async function claim(pool: pg.Pool, now: Date, passed: string[]): Promise<Run | undefined> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<Run>(
      `SELECT * FROM scheduled_pipeline_runs
       WHERE state IN ('SCHEDULED', 'PENDING') AND scheduled_time <= $1 AND run_id <> ALL($2)
       ORDER BY scheduled_time, queue_position LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [now, passed],
    )
    const run = rows[0]
    if (!run) return undefined
    if (run.state === 'SCHEDULED') await transition(client, run, 'PENDING', now)
    const usage = await lockUsage(client, run.customer_id, now)
    const { rows: running } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM scheduled_pipeline_runs WHERE customer_id = $1 AND state = 'RUNNING'",
      [run.customer_id],
    )
    if ((running[0]?.n ?? 0) < usage.concurrent_limit) {
      run.pipeline_logging_id = `log_${randomUUID()}`
      run.lease_expires_at = leaseUntil(now)
      await transition(client, run, 'RUNNING', now, {
        pipeline_logging_id: run.pipeline_logging_id,
        lease_expires_at: run.lease_expires_at,
      })
      await recordConcurrency(client, usage)
    }
    return run
  })
}

/** How long a wait for runs lasts, unless the caller says, before it answers 409. */
const WAIT_DEFAULT_MS = 120_000

/**
 * Takes back the runs whose lease expired, then claims up to `limit` due runs and hands those that
 * became RUNNING to the workers. Answers once claimed (each run RUNNING, or PENDING waiting for a
 * concurrency slot); with `wait: true`, once the claimed runs have ended, with their ends.
 */
export async function processQueue(executor: Executor, workers: Workers, body: Record<string, unknown>) {
  const limit = body.limit ?? 1
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 100)
    throw badRequest('limit must be an integer from 1 to 100')
  const wait = body.wait ?? false
  if (typeof wait !== 'boolean') throw badRequest('wait must be true or false')
  const before = await queueStatus(executor.pool)
  const reclaimed = await reclaimExpired(executor.pool, executor.clock.now())
  const claimed: Array<RunOutcome | (Run & { waiting: string })> = []
  const ends: Array<Promise<RunOutcome> | undefined> = []
  const passed: string[] = []
  while (claimed.length < (limit as number)) {
    const run = await claim(executor.pool, executor.clock.now(), passed)
    if (!run) break
    passed.push(run.run_id)
    if (run.state === 'PENDING') {
      claimed.push({ ...run, waiting: 'concurrent limit reached' })
      ends.push(undefined)
    } else {
      claimed.push({ ...run })
      ends.push(workers.start(run))
    }
  }
  const processed = wait ? await Promise.all(claimed.map((run, i) => ends[i] ?? run)) : claimed
  const after = await queueStatus(executor.pool)
  return {
    processed,
    reclaimed,
    queue_length_before: before.queue_length,
    queue_length_after: after.queue_length,
  }
}

/** Waits until none of `run_ids` (or no run at all) runs on this service's workers; the queue's status then. */
export async function waitForRuns(executor: Executor, workers: Workers, body: Record<string, unknown>) {
  const runIds = body.run_ids
  if (runIds !== undefined && !(Array.isArray(runIds) && runIds.every((id) => typeof id === 'string')))
    throw badRequest('run_ids must be an array of run ids')
  const timeoutMs = body.timeout_ms ?? WAIT_DEFAULT_MS
  if (!Number.isInteger(timeoutMs) || (timeoutMs as number) < 1)
    throw badRequest('timeout_ms must be a positive integer')
  const waitedFor = await workers.settled(runIds as string[] | undefined, timeoutMs as number)
  return { waited_for: waitedFor, ...(await queueStatus(executor.pool)) }
}

/** Runs by state, and the queue's length (SCHEDULED and PENDING), for one customer or all. */
export async function queueStatus(pool: pg.Pool, customerId?: string) {
  const { rows } = await pool.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM scheduled_pipeline_runs
     WHERE $1::text IS NULL OR customer_id = $1 GROUP BY state`,
    [customerId ?? null],
  )
  const by = Object.fromEntries(STATES.map((s) => [s, rows.find((r) => r.state === s)?.n ?? 0]))
  return { ...by, queue_length: (by.SCHEDULED ?? 0) + (by.PENDING ?? 0) }
}

export interface RunFilter {
  customer_id?: string | undefined
  state?: string | undefined
  date?: string | undefined
  config_id?: string | undefined
}

/** Runs (with the states each went through), filtered by customer, state, slot date (UTC) or pipeline. */
export async function listRuns(pool: pg.Pool, filter: RunFilter) {
  if (filter.state && !STATES.includes(filter.state as Run['state']))
    throw badRequest(`state must be one of ${STATES.join(', ')}`)
  if (filter.date && !/^\d{4}-\d{2}-\d{2}$/.test(filter.date)) throw badRequest('date must be YYYY-MM-DD')
  const { rows } = await pool.query(
    `SELECT r.*, ARRAY(SELECT t.to_state FROM run_state_transitions t WHERE t.run_id = r.run_id ORDER BY t.id)
       AS transitions
     FROM scheduled_pipeline_runs r
     WHERE ($1::text IS NULL OR r.customer_id = $1) AND ($2::text IS NULL OR r.state = $2)
       AND ($3::date IS NULL OR (r.slot_time AT TIME ZONE 'UTC')::date = $3::date)
       AND ($4::text IS NULL OR r.config_id = $4)
     ORDER BY r.slot_time, r.customer_id, r.config_id, r.retry_attempt`,
    [filter.customer_id ?? null, filter.state ?? null, filter.date ?? null, filter.config_id ?? null],
  )
  return rows
}
