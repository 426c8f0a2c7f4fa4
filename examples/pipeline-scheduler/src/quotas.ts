// A customer's usage per UTC day, against the limits of that day. A new day's row starts from the
// customer's limits and carries the month's count so far.
import type pg from 'pg'
import { utcDay } from './db.ts'

export interface Usage {
  customer_id: string
  usage_date: string
  pipelines_run_today: number
  pipelines_run_month: number
  concurrent_running: number
  daily_limit: number
  monthly_limit: number
  concurrent_limit: number
}

/** The customer's row for the day of `at`, created if missing, locked until the transaction ends. */
export async function lockUsage(client: pg.PoolClient, customerId: string, at: Date): Promise<Usage> {
  const day = utcDay(at)
  await client.query(
    `INSERT INTO subscription_quotas
       (customer_id, usage_date, pipelines_run_month, daily_limit, monthly_limit, concurrent_limit)
     SELECT c.customer_id, $2::date,
       COALESCE((SELECT sum(q.pipelines_run_today) FROM subscription_quotas q
                 WHERE q.customer_id = c.customer_id
                   AND date_trunc('month', q.usage_date) = date_trunc('month', $2::date)), 0),
       c.daily_limit, c.monthly_limit, c.concurrent_limit
     FROM customers c WHERE c.customer_id = $1
     ON CONFLICT DO NOTHING`,
    [customerId, day],
  )
  const { rows } = await client.query<Usage>(
    'SELECT * FROM subscription_quotas WHERE customer_id = $1 AND usage_date = $2 FOR UPDATE',
    [customerId, day],
  )
  if (!rows[0]) throw new Error(`no customer ${customerId}`)
  return rows[0]
}

/** Why another pipeline may not be queued today, or undefined when it may. */
export function quotaRefusal(usage: Usage): string | undefined {
  if (usage.pipelines_run_today >= usage.daily_limit)
    return `quota exceeded: daily limit of ${usage.daily_limit} pipeline runs reached`
  if (usage.pipelines_run_month >= usage.monthly_limit)
    return `quota exceeded: monthly limit of ${usage.monthly_limit} pipeline runs reached`
  return undefined
}

export async function countQueued(client: pg.PoolClient, usage: Usage): Promise<void> {
  await client.query(
    `UPDATE subscription_quotas SET pipelines_run_today = pipelines_run_today + 1,
       pipelines_run_month = pipelines_run_month + 1
     WHERE customer_id = $1 AND usage_date = $2`,
    [usage.customer_id, usage.usage_date],
  )
}

/** Records how many of the customer's runs are RUNNING now (after the caller's change). */
export async function recordConcurrency(client: pg.PoolClient, usage: Usage): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `UPDATE subscription_quotas SET concurrent_running =
       (SELECT count(*)::int FROM scheduled_pipeline_runs WHERE customer_id = $1 AND state = 'RUNNING')
     WHERE customer_id = $1 AND usage_date = $2 RETURNING concurrent_running AS n`,
    [usage.customer_id, usage.usage_date],
  )
  return rows[0]?.n ?? 0
}
