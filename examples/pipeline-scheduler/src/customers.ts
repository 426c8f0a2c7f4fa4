import { createHash, randomBytes } from 'node:crypto'
import type pg from 'pg'
import type { Clock } from './clock.ts'
import { inTransaction } from './db.ts'
import { ApiError, badRequest, notFound } from './errors.ts'
import { isPlan, PLANS } from './plans.ts'
import { lockUsage, type Usage } from './quotas.ts'

export const hashKey = (apiKey: string) => createHash('sha256').update(apiKey).digest('hex')

const NAME = /^[a-z][a-z0-9_]{1,39}$/

/** A new customer on `plan`, with the plan's limits; the API key is returned once and stored hashed. */
export async function onboard(pool: pg.Pool, body: Record<string, unknown>) {
  const { name, plan } = body
  if (typeof name !== 'string' || !NAME.test(name))
    throw badRequest('name must be 2-40 lower-case letters, digits or _, starting with a letter')
  if (!isPlan(plan)) throw badRequest(`plan must be one of ${Object.keys(PLANS).join(', ')}`)
  const apiKey = `${name}_api_${randomBytes(24).toString('base64url')}`
  const limits = PLANS[plan]
  const { rowCount } = await pool.query(
    `INSERT INTO customers (customer_id, name, plan, api_key_hash, daily_limit, monthly_limit, concurrent_limit)
     VALUES ($1, $1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [name, plan, hashKey(apiKey), limits.daily_limit, limits.monthly_limit, limits.concurrent_limit],
  )
  if (rowCount === 0) throw new ApiError(409, `customer ${name} exists already`)
  return { customer_id: name, name, plan, api_key: apiKey, quota: limits }
}

export async function customerByKey(pool: pg.Pool, apiKey: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ customer_id: string }>(
    'SELECT customer_id FROM customers WHERE api_key_hash = $1',
    [hashKey(apiKey)],
  )
  return rows[0]?.customer_id
}

async function mustExist(client: pg.Pool | pg.PoolClient, customerId: string) {
  const { rows } = await client.query(
    'SELECT customer_id, name, plan FROM customers WHERE customer_id = $1',
    [customerId],
  )
  if (!rows[0]) throw notFound(`no customer ${customerId}`)
  return rows[0] as { customer_id: string; name: string; plan: string }
}

/** Configured pipelines, runs by state and today's usage. */
export async function customerStatus(pool: pg.Pool, clock: Clock, customerId: string) {
  const customer = await mustExist(pool, customerId)
  const configs = await pool.query<{ n: number; active: number }>(
    'SELECT count(*)::int AS n, count(*) FILTER (WHERE is_active)::int AS active FROM pipeline_configurations WHERE customer_id = $1',
    [customerId],
  )
  const runs = await pool.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM scheduled_pipeline_runs WHERE customer_id = $1 GROUP BY state',
    [customerId],
  )
  const usage = await inTransaction(pool, (client) => lockUsage(client, customerId, clock.now()))
  return {
    ...customer,
    configured_pipelines: configs.rows[0]?.n ?? 0,
    active_pipelines: configs.rows[0]?.active ?? 0,
    runs: Object.fromEntries(runs.rows.map((r) => [r.state, r.n])),
    quota: usage,
  }
}

const LIMITS = ['daily_limit', 'monthly_limit', 'concurrent_limit'] as const

/** New limits, from today on (today's usage row and the rows of days to come). */
export async function updateQuota(
  pool: pg.Pool,
  clock: Clock,
  customerId: string,
  body: Record<string, unknown>,
): Promise<Usage> {
  const given = LIMITS.filter((l) => body[l] !== undefined)
  if (given.length === 0) throw badRequest(`give at least one of ${LIMITS.join(', ')}`)
  for (const l of given)
    if (!Number.isInteger(body[l]) || (body[l] as number) < 0)
      throw badRequest(`${l} must be a non-negative integer`)
  return inTransaction(pool, async (client) => {
    await mustExist(client, customerId)
    const set = given.map((l, i) => `${l} = $${i + 2}`).join(', ')
    const values = [customerId, ...given.map((l) => body[l])]
    await client.query(`UPDATE customers SET ${set} WHERE customer_id = $1`, values)
    const usage = await lockUsage(client, customerId, clock.now())
    const { rows } = await client.query<Usage>(
      `UPDATE subscription_quotas SET ${set} WHERE customer_id = $1 AND usage_date = $${given.length + 2} RETURNING *`,
      [...values, usage.usage_date],
    )
    return rows[0] as Usage
  })
}

/** The customer's tables, children first, so each count is what this customer had (the cascade would remove them too). */
const OWNED_TABLES = [
  'pipeline_results',
  'run_state_transitions',
  'scheduled_pipeline_runs',
  'pipeline_configurations',
  'provider_credentials',
  'subscription_quotas',
] as const

/** Deletes the customer and everything of theirs; answers how many rows of each table went. */
export async function deleteCustomer(pool: pg.Pool, customerId: string) {
  return inTransaction(pool, async (client) => {
    await mustExist(client, customerId)
    const deleted: Record<string, number> = {}
    for (const table of OWNED_TABLES) {
      const where =
        table === 'run_state_transitions'
          ? 'run_id IN (SELECT run_id FROM scheduled_pipeline_runs WHERE customer_id = $1)'
          : 'customer_id = $1'
      deleted[table] = (await client.query(`DELETE FROM ${table} WHERE ${where}`, [customerId])).rowCount ?? 0
    }
    deleted.customers =
      (await client.query('DELETE FROM customers WHERE customer_id = $1', [customerId])).rowCount ?? 0
    return { customer_id: customerId, deleted }
  })
}
