// The scheduler's trigger: queues a run for each active pipeline whose next run time has come,
// within the customer's daily and monthly quota, and moves the pipeline's next run time on.
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { Clock } from './clock.ts'
import { inTransaction } from './db.ts'
import { countQueued, lockUsage, quotaRefusal } from './quotas.ts'
import { recordTransition } from './run-states.ts'
import { latestDueTime, nextRunTime } from './schedule.ts'

interface DueConfig {
  config_id: string
  customer_id: string
  schedule: string
}

export async function triggerScheduler(pool: pg.Pool, clock: Clock) {
  const now = clock.now()
  return inTransaction(pool, async (client) => {
    // SKIP LOCKED: a trigger running at the same time takes the other due pipelines, not these.
    const due = await client.query<DueConfig>(
      `SELECT config_id, customer_id, schedule FROM pipeline_configurations
       WHERE is_active AND next_run_time <= $1
       ORDER BY customer_id, next_run_time, position FOR UPDATE SKIP LOCKED`,
      [now],
    )
    const queued: Array<{ run_id: string; config_id: string; customer_id: string; slot_time: Date }> = []
    const skipped: Array<{ run_id: string; config_id: string; customer_id: string; error_message: string }> =
      []
    for (const config of due.rows) {
      const slot = latestDueTime(config.schedule, now)
      const usage = await lockUsage(client, config.customer_id, now)
      const refusal = quotaRefusal(usage)
      const runId = `run_${randomUUID()}`
      const state = refusal ? 'FAILED' : 'SCHEDULED'
      const inserted = await client.query(
        `INSERT INTO scheduled_pipeline_runs
           (run_id, config_id, customer_id, slot_time, scheduled_time, state, error_message, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $7) ON CONFLICT DO NOTHING`,
        [runId, config.config_id, config.customer_id, slot, state, refusal ?? null, now],
      )
      if (inserted.rowCount === 1) {
        await recordTransition(client, runId, null, state, now)
        const entry = { run_id: runId, config_id: config.config_id, customer_id: config.customer_id }
        if (refusal) skipped.push({ ...entry, error_message: refusal })
        else {
          await countQueued(client, usage)
          queued.push({ ...entry, slot_time: slot })
        }
      }
      await client.query(
        'UPDATE pipeline_configurations SET next_run_time = $2, updated_at = $3 WHERE config_id = $1',
        [config.config_id, nextRunTime(config.schedule, now), now],
      )
    }
    return { triggered: queued.length, queued, skipped }
  })
}
