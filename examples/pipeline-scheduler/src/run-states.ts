import type pg from 'pg'

export const STATES = ['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED'] as const
export type RunState = (typeof STATES)[number]

export interface Run {
  run_id: string
  config_id: string
  customer_id: string
  slot_time: Date
  scheduled_time: Date
  state: RunState
  pipeline_logging_id: string | null
  retry_attempt: number
  error_message: string | null
  /** While RUNNING: until when the claim holds without renewal (src/leases.ts). */
  lease_expires_at: Date | null
}

/** Moves a run to `to` (from the state it is in) and records the transition; a lease only while RUNNING. */
export async function transition(
  client: pg.ClientBase,
  run: Pick<Run, 'run_id' | 'state'>,
  to: RunState,
  at: Date,
  fields: { pipeline_logging_id?: string; error_message?: string; lease_expires_at?: Date } = {},
): Promise<void> {
  await client.query(
    `UPDATE scheduled_pipeline_runs SET state = $2, updated_at = $3,
       pipeline_logging_id = COALESCE($4, pipeline_logging_id), error_message = COALESCE($5, error_message),
       lease_expires_at = $6
     WHERE run_id = $1`,
    [
      run.run_id,
      to,
      at,
      fields.pipeline_logging_id ?? null,
      fields.error_message ?? null,
      to === 'RUNNING' ? (fields.lease_expires_at ?? null) : null,
    ],
  )
  await recordTransition(client, run.run_id, run.state, to, at)
  run.state = to
}

export async function recordTransition(
  client: pg.ClientBase,
  runId: string,
  from: RunState | null,
  to: RunState,
  at: Date,
): Promise<void> {
  await client.query(
    'INSERT INTO run_state_transitions (run_id, from_state, to_state, at) VALUES ($1, $2, $3, $4)',
    [runId, from, to, at],
  )
}
