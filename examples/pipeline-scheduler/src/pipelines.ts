import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { Clock } from './clock.ts'
import { badRequest } from './errors.ts'
import { PROVIDERS, providerOf } from './plans.ts'
import { nextRunTime, validateSchedule } from './schedule.ts'

const DOMAINS = ['COST', 'SECURITY', 'COMPLIANCE', 'OBSERVABILITY'] as const

/** A pipeline on a cron schedule; its first run is the schedule's next occurrence after now. */
export async function configurePipeline(
  pool: pg.Pool,
  clock: Clock,
  customerId: string,
  body: Record<string, unknown>,
) {
  const provider = providerOf(body.provider)
  if (!provider) throw badRequest(`provider must be one of ${PROVIDERS.join(', ')}`)
  const domain = typeof body.domain === 'string' ? body.domain.toUpperCase() : ''
  if (!DOMAINS.includes(domain as (typeof DOMAINS)[number]))
    throw badRequest(`domain must be one of ${DOMAINS.join(', ')}`)
  const { template_name, schedule, default_parameters = {} } = body
  if (typeof template_name !== 'string' || !/^[a-z0-9_]{1,64}$/.test(template_name))
    throw badRequest('template_name must be 1-64 lower-case letters, digits or _')
  if (typeof schedule !== 'string') throw badRequest('schedule must be a cron expression')
  try {
    validateSchedule(schedule)
  } catch (error) {
    throw badRequest((error as Error).message)
  }
  if (
    typeof default_parameters !== 'object' ||
    default_parameters === null ||
    Array.isArray(default_parameters)
  )
    throw badRequest('default_parameters must be an object')
  const now = clock.now()
  const { rows } = await pool.query(
    `INSERT INTO pipeline_configurations
       (config_id, customer_id, provider, domain, template_name, schedule, default_parameters, next_run_time, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
    [
      `cfg_${randomUUID()}`,
      customerId,
      provider,
      domain,
      template_name,
      schedule,
      default_parameters,
      nextRunTime(schedule, now),
      now,
    ],
  )
  return rows[0]
}

export async function listPipelines(pool: pg.Pool, customerId: string) {
  const { rows } = await pool.query(
    'SELECT * FROM pipeline_configurations WHERE customer_id = $1 ORDER BY position',
    [customerId],
  )
  return rows
}
