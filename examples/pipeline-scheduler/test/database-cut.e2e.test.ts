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
        // Processing claims all four RUNNING and hands them to the worker's workers; the held one
        // waits inside its transaction, the three others are let finish before the cut.
        const { processed } = await worker.admin.post<{ processed: RunRow[] }>('/api/v1/scheduler/process', {
          limit: 10,
        })
        expect(processed.map((r) => r.state)).toEqual(Array(4).fill('RUNNING'))
        await worker.admin.post(`/api/v1/admin/pipelines/${held}/reached`)
        const heldRunId = processed.find((r) => r.config_id === held)?.run_id as string
        const others = processed.filter((r) => r.run_id !== heldRunId).map((r) => r.run_id)
        await worker.admin.post('/api/v1/scheduler/wait', { run_ids: others })
        const running = await fileScheduler.admin.get<RunRow[]>('/api/v1/scheduler/scheduled?state=RUNNING')
        expect(running.map((r) => r.run_id)).toEqual([heldRunId])
        proxy.cut()
        await worker.admin.post(`/api/v1/admin/pipelines/${held}/release`)
        proxy.restore()
        await worker.admin.post('/api/v1/scheduler/wait', { run_ids: [heldRunId] })
        const runs = await fileScheduler.admin.get<RunRow[]>('/api/v1/scheduler/scheduled')
        const failed = runs.find((r) => r.run_id === heldRunId)
        expect(failed?.state).toBe('FAILED')
        expect(failed?.error_message).toMatch(/connection/i)
        expect(runs.filter((r) => r.config_id === held && r.retry_attempt === 1)).toMatchObject([
          { state: 'SCHEDULED', scheduled_time: '2026-06-01T01:01:00.000Z', slot_time: SLOT },
        ])
        expect(
          runs
            .filter((r) => r.state === 'COMPLETED')
            .map((r) => r.run_id)
            .sort(),
        ).toEqual(others.sort())
        // The failed run's work was rolled back with its connection.
        const { rows } = await fileDatabase.query('SELECT 1 FROM pipeline_results WHERE run_id = $1', [
          heldRunId,
        ])
        expect(rows).toEqual([])
        return { held, failedRunId: heldRunId }
      },
    )
    .step(
      'after recovery every slot completed exactly once',
      async ({ held, failedRunId }, { fileScheduler, fileDatabase }) => {
        await fileScheduler.setClock('2026-06-01T01:01:00Z')
        await fileScheduler.admin.post('/api/v1/scheduler/process', { limit: 10, wait: true })
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
