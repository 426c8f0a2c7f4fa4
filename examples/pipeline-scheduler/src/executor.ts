// Runs one pipeline run that was claimed RUNNING. The run's work (its result row) and its COMPLETED
// state commit together, on one connection, and only while the run is still this claim's (its lease
// was not taken back): a run that loses its connection leaves no result and is marked FAILED on a
// new connection, with a retry scheduled, so each slot completes once.
import type pg from 'pg'
import type { Clock } from './clock.ts'
import type { CredentialCipher } from './credential-cipher.ts'
import { credentialsFor } from './credentials.ts'
import { inTransaction } from './db.ts'
import { holdsClaim } from './leases.ts'
import { lockUsage, recordConcurrency } from './quotas.ts'
import { failWithRetry } from './retries.ts'
import { type Run, transition } from './run-states.ts'
import type { TestHooks } from './test-hooks.ts'

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

/** What became of a run: its end, or (`claim_lost`) that it was taken back from this worker meanwhile. */
export type RunOutcome = Run & { claim_lost?: string; retry?: unknown }

class ClaimLost extends Error {}

export async function executeRun({ pool, clock, cipher, hooks }: Executor, run: Run): Promise<RunOutcome> {
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
      if (!(await holdsClaim(client, run))) throw new ClaimLost('the run was taken back from this worker')
      const now = clock.now()
      await transition(client, run, 'COMPLETED', now)
      await client.query(
        'UPDATE pipeline_configurations SET last_run_time = $2, updated_at = $2 WHERE config_id = $1',
        [run.config_id, now],
      )
      await recordConcurrency(client, await lockUsage(client, run.customer_id, now))
    })
    return { ...run, state: 'COMPLETED', lease_expires_at: null }
  } catch (error) {
    if (error instanceof ClaimLost) return { ...run, claim_lost: error.message }
    // The failure must be recorded, or the run would stay RUNNING until its lease expires: if the
    // database is what failed, wait for it to come back.
    const message = (error as Error).message
    return whileUnreachable(() => markFailed({ pool, clock }, run, message), RECORD_FAILURE_FOR_MS)
  }
}

/** FAILED with the error and a retry scheduled, unless the run was taken back meanwhile. */
async function markFailed({ pool, clock }: Pick<Executor, 'pool' | 'clock'>, run: Run, message: string) {
  return inTransaction(pool, async (client): Promise<RunOutcome> => {
    if (!(await holdsClaim(client, run)))
      return { ...run, claim_lost: 'the run was taken back from this worker' }
    return failWithRetry(client, run, message, clock.now())
  })
}
