// A worker that dies while it runs a run: the service's process is SIGKILLed with a run RUNNING
// (held inside its transaction). The run stays RUNNING under its lease; once the lease has expired
// (by the clock of a new service on the same database), the next processing takes it back: FAILED,
// "worker lost", a retry scheduled, and the retry completes the slot, exactly once.
import { journey } from '@testbed/core'
import { startScheduler } from './app-process.ts'
import { onboardCustomer, type RunRow } from './customers.ts'
import { expect, test } from './testbed.ts'

const SLOT = '2026-06-01T01:00:00.000Z'
const LEASE_EXPIRES = '2026-06-01T01:05:00.000Z'

/** Until the database has no connection of the process `pid` left (its backends end once its sockets close). */
async function connectionsOf(
  query: (sql: string, values: unknown[]) => Promise<{ rows: unknown[] }>,
  pid: number,
) {
  const until = Date.now() + 30_000
  for (;;) {
    const { rows } = await query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
      [`pipeline-scheduler:${pid}`],
    )
    if (rows.length === 0 || Date.now() > until) return rows
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

journey('a worker dies mid-run', { tags: ['e2e', 'tier3', 'requires_postgres'], test }, (j) =>
  j
    .step(
      'the worker is killed while its run is RUNNING',
      async (_state, { fileDatabase, onTestFinished }) => {
        const lost = await startScheduler(fileDatabase.env)
        onTestFinished(() => lost.kill())
        await lost.setClock('2026-06-01T00:30:00Z')
        const customer = await onboardCustomer(lost.admin, {
          name: 'initech',
          plan: 'SCALE',
          credentials: { OPENAI: { api_key: 'sk-initech' } },
          pipelines: [
            { provider: 'OPENAI', domain: 'OBSERVABILITY', template_name: 'usage', schedule: '0 * * * *' },
          ],
        })
        const configId = customer.configs.usage as string
        await lost.setClock(SLOT)
        expect(await lost.admin.post('/api/v1/scheduler/trigger')).toMatchObject({ triggered: 1 })
        await lost.admin.post(`/api/v1/admin/pipelines/${configId}/hold`)
        const { processed } = await lost.admin.post<{
          processed: Array<RunRow & { lease_expires_at: string }>
        }>('/api/v1/scheduler/process', { limit: 1 })
        expect(processed).toMatchObject([
          { config_id: configId, state: 'RUNNING', lease_expires_at: LEASE_EXPIRES },
        ])
        await lost.admin.post(`/api/v1/admin/pipelines/${configId}/reached`)
        const pid = lost.child.pid as number
        await lost.kill()
        expect(lost.child.signalCode).toBe('SIGKILL')
        // Nothing of the killed process is left: no connection, and its run's open work rolled back.
        expect(await connectionsOf((sql, values) => fileDatabase.query(sql, values), pid)).toEqual([])
        const runId = processed[0]?.run_id as string
        const { rows } = await fileDatabase.query(
          'SELECT state, lease_expires_at FROM scheduled_pipeline_runs WHERE run_id = $1',
          [runId],
        )
        expect(rows).toEqual([{ state: 'RUNNING', lease_expires_at: new Date(LEASE_EXPIRES) }])
        expect((await fileDatabase.query('SELECT 1 FROM pipeline_results')).rows).toEqual([])
        return { configId, runId }
      },
    )
    .step(
      'a new service takes the run back once its lease has expired: FAILED, retry scheduled',
      async ({ runId }, { fileScheduler }) => {
        // Before the lease expires the run is still the lost worker's: nothing is taken back.
        await fileScheduler.setClock('2026-06-01T01:04:59Z')
        expect(await fileScheduler.admin.post('/api/v1/scheduler/process', { limit: 10 })).toMatchObject({
          processed: [],
          reclaimed: [],
        })
        await fileScheduler.setClock(LEASE_EXPIRES)
        const { reclaimed, processed } = await fileScheduler.admin.post<{
          reclaimed: unknown[]
          processed: unknown[]
        }>('/api/v1/scheduler/process', { limit: 10 })
        expect(reclaimed).toMatchObject([
          {
            run_id: runId,
            state: 'FAILED',
            error_message: `worker lost: lease expired at ${LEASE_EXPIRES}`,
            retry: { retry_attempt: 1, scheduled_time: '2026-06-01T01:06:00.000Z' },
          },
        ])
        // The retry waits for its time.
        expect(processed).toEqual([])
        const [run] = await fileScheduler.admin.get<RunRow[]>(`/api/v1/scheduler/scheduled?state=FAILED`)
        expect(run?.transitions).toEqual(['SCHEDULED', 'PENDING', 'RUNNING', 'FAILED'])
      },
    )
    .step(
      'the retry completes: the slot completed exactly once',
      async ({ configId }, { fileScheduler, fileDatabase }) => {
        await fileScheduler.setClock('2026-06-01T01:06:00Z')
        const { processed } = await fileScheduler.admin.post<{ processed: RunRow[] }>(
          '/api/v1/scheduler/process',
          {
            limit: 10,
            wait: true,
          },
        )
        expect(processed).toMatchObject([{ config_id: configId, retry_attempt: 1, state: 'COMPLETED' }])
        const runs = await fileScheduler.admin.get<RunRow[]>(
          `/api/v1/scheduler/scheduled?config_id=${configId}`,
        )
        expect(runs.map((r) => [r.retry_attempt, r.state, r.slot_time])).toEqual([
          [0, 'FAILED', SLOT],
          [1, 'COMPLETED', SLOT],
        ])
        const { rows } = await fileDatabase.query(
          'SELECT slot_time, count(*)::int AS n FROM pipeline_results WHERE config_id = $1 GROUP BY 1',
          [configId],
        )
        expect(rows).toEqual([{ slot_time: new Date(SLOT), n: 1 }])
        expect(await fileScheduler.admin.get('/api/v1/scheduler/queue/status')).toMatchObject({
          RUNNING: 0,
          queue_length: 0,
        })
      },
    ),
)
