// A fault journey: a second worker's database connection is cut while it runs a pipeline. The run
// ends FAILED, a retry is scheduled, and once the database is reachable again every scheduled slot
// completes exactly once. The cut is a TCP proxy in front of the file's database (`faults.proxy`);
// the moment is chosen by holding the run inside its transaction, not by waiting.
import { journey } from '@testbed/core'
import { startScheduler } from './app-process.ts'
import { onboardCustomer, type RunRow } from './customers.ts'
import { expect, test } from './testbed.ts'

const TEMPLATES = ['usage_a', 'usage_b', 'usage_c', 'usage_d']
const SLOT = '2026-06-01T01:00:00.000Z'

journey('a worker loses its database mid-run', { tags: ['e2e', 'tier3', 'requires_postgres'], test }, (j) =>
  j
    .step('four hourly pipelines queued', async (_state, { fileScheduler }) => {
      await fileScheduler.setClock('2026-06-01T00:30:00Z')
      const customer = await onboardCustomer(fileScheduler.admin, {
        name: 'hooli',
        plan: 'SCALE',
        credentials: { OPENAI: { api_key: 'sk-hooli' } },
        pipelines: TEMPLATES.map((template_name) => ({
          provider: 'OPENAI',
          domain: 'OBSERVABILITY',
          template_name,
          schedule: '0 * * * *',
        })),
      })
      await fileScheduler.setClock(SLOT)
      expect(await fileScheduler.admin.post('/api/v1/scheduler/trigger')).toMatchObject({ triggered: 4 })
      return { customer }
    })
    .step(
      'the connection is cut while a run is RUNNING: FAILED, retry scheduled',
      async ({ customer }, { faults, fileDatabase, fileScheduler, onTestFinished }) => {
        const proxy = await faults.proxy(fileDatabase.url)
        const worker = await startScheduler({ DATABASE_URL: proxy.url })
        onTestFinished(() => worker.stop())
        await worker.setClock(SLOT)
        const held = customer.configs.usage_b as string
        await worker.admin.post(`/api/v1/admin/pipelines/${held}/hold`)
        const processing = worker.admin.post<{
          processed: Array<RunRow & { retry?: { retry_attempt: number; scheduled_time: string } }>
        }>('/api/v1/scheduler/process', { limit: 10 })
        await worker.admin.post(`/api/v1/admin/pipelines/${held}/reached`)
        const running = await fileScheduler.admin.get<RunRow[]>(
          `/api/v1/scheduler/scheduled?config_id=${held}&state=RUNNING`,
        )
        expect(running).toHaveLength(1)
        proxy.cut()
        await worker.admin.post(`/api/v1/admin/pipelines/${held}/release`)
        proxy.restore()
        const { processed } = await processing
        const failed = processed.find((r) => r.config_id === held)
        expect(failed?.state).toBe('FAILED')
        expect(failed?.error_message).toMatch(/connection/i)
        expect(failed?.retry).toMatchObject({ retry_attempt: 1, scheduled_time: '2026-06-01T01:01:00.000Z' })
        expect(processed.filter((r) => r.state === 'COMPLETED')).toHaveLength(3)
        // The failed run's work was rolled back with its connection.
        const { rows } = await fileDatabase.query('SELECT 1 FROM pipeline_results WHERE run_id = $1', [
          failed?.run_id,
        ])
        expect(rows).toEqual([])
        return { held, failedRunId: failed?.run_id as string }
      },
    )
    .step(
      'after recovery every slot completed exactly once',
      async ({ held, failedRunId }, { fileScheduler, fileDatabase }) => {
        await fileScheduler.setClock('2026-06-01T01:01:00Z')
        await fileScheduler.admin.post('/api/v1/scheduler/process', { limit: 10 })
        const runs = await fileScheduler.admin.get<RunRow[]>('/api/v1/scheduler/scheduled')
        const failed = runs.find((r) => r.run_id === failedRunId)
        expect(failed?.transitions).toEqual(['SCHEDULED', 'PENDING', 'RUNNING', 'FAILED'])
        expect(
          runs.filter((r) => r.config_id === held).map((r) => [r.retry_attempt, r.state, r.slot_time]),
        ).toEqual([
          [0, 'FAILED', SLOT],
          [1, 'COMPLETED', SLOT],
        ])
        const completed = runs.filter((r) => r.state === 'COMPLETED')
        expect(completed.map((r) => r.slot_time)).toEqual(Array(4).fill(SLOT))
        expect(new Set(completed.map((r) => r.config_id)).size).toBe(4)
        const { rows } = await fileDatabase.query(
          'SELECT config_id, slot_time, count(*)::int AS n FROM pipeline_results GROUP BY 1, 2',
        )
        expect(rows).toHaveLength(4)
        expect(rows.every((r) => r.n === 1)).toBe(true)
        expect(await fileScheduler.admin.get('/api/v1/scheduler/queue/status')).toMatchObject({
          queue_length: 0,
        })
      },
    ),
)
