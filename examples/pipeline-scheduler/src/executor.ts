// Runs one pipeline run that was claimed RUNNING. The run's work (its result row) and its COMPLETED
// state commit together, on one connection: a run that loses its connection leaves no result and
// is marked FAILED on a new connection, with a retry scheduled, so each slot completes once.
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { Clock } from './clock.ts'
import type { CredentialCipher } from './credential-cipher.ts'
import { credentialsFor } from './credentials.ts'
import { inTransaction } from './db.ts'
import { lockUsage, recordConcurrency } from './quotas.ts'
import { type Run, recordTransition, transition } from './run-states.ts'
import type { TestHooks } from './test-hooks.ts'

/** Attempts after the first; retry n waits RETRY_DELAY_MS · 2^(n-1). */
export const MAX_RETRIES = 3
export const RETRY_DELAY_MS = 60_000
/** How long a failure waits for the database to be reachable again before the worker gives up on recording it. */
const RECORD_FAILURE_FOR_MS = 30_000

/** An error of the connection rather than of the statement: worth trying again on a new connection. */
const CONNECTION_ERROR = /Connection terminated|ECONNREFUSED|ECONNRESET|EPIPE|not queryable|timeout exceeded/i

/** `fn` again (on a new connection) while the database cannot be reached, for up to `forMs`. */
async function whileUnreachable<T>(fn: () => Promise<T>, forMs: number): Promise<T> {
  const until = Date.now() + forMs
  for (;;) {
    try {
      return await fn()
    } catch (error) {
      if (!CONNECTION_ERROR.test((error as Error).message) || Date.now() > until) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

export interface Executor {
  pool: pg.Pool
  clock: Clock
  cipher: CredentialCipher
  hooks?: TestHooks | undefined
}

export async function executeRun({ pool, clock, cipher, hooks }: Executor, run: Run) {
  try {
    await inTransaction(pool, async (client) => {
      const { rows } = await client.query(
        'SELECT provider, domain, template_name, default_parameters FROM pipeline_configurations WHERE config_id = $1',
        [run.config_id],
      )
      const config = rows[0]
      const credentials = await credentialsFor(client, cipher, run.customer_id, config.provider)
      hooks?.failIfForced(run.config_id)
      const summary = {
        template: `${config.provider}/${config.domain}/${config.template_name}`,
        parameters: config.default_parameters,
        credentials: credentials ? 'decrypted' : 'none',
        retry_attempt: run.retry_attempt,
      }
      await client.query(
        `INSERT INTO pipeline_results (run_id, customer_id, config_id, slot_time, pipeline_logging_id, summary)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [run.run_id, run.customer_id, run.config_id, run.slot_time, run.pipeline_logging_id, summary],
      )
      await hooks?.holdPoint(run.config_id)
      const now = clock.now()
      await transition(client, run, 'COMPLETED', now)
      await client.query(
        'UPDATE pipeline_configurations SET last_run_time = $2, updated_at = $2 WHERE config_id = $1',
        [run.config_id, now],
      )
      await recordConcurrency(client, await lockUsage(client, run.customer_id, now))
    })
    return { ...run, state: 'COMPLETED' as const }
  } catch (error) {
    // The failure must be recorded, or the run would stay RUNNING: if the database is what failed,
    // wait for it to come back.
    const message = (error as Error).message
    return whileUnreachable(() => markFailed({ pool, clock }, run, message), RECORD_FAILURE_FOR_MS)
  }
}

/** FAILED with the error, and the next attempt scheduled while attempts are left. */
async function markFailed({ pool, clock }: Pick<Executor, 'pool' | 'clock'>, run: Run, message: string) {
  const now = clock.now()
  return inTransaction(pool, async (client) => {
    const failed = { ...run, state: 'RUNNING' as Run['state'] }
    await transition(client, failed, 'FAILED', now, { error_message: message })
    let retry: { run_id: string; retry_attempt: number; scheduled_time: Date } | undefined
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
    return { ...run, state: 'FAILED' as const, error_message: message, retry }
  })
}
