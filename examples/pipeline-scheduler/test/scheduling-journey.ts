// The scheduler's end-to-end scenario, eight ordered phases, as one journey over real HTTP: two customers (acme_corp on
// PROFESSIONAL, globex_inc on SCALE) with six pipelines, from onboarding to cleanup. Each phase is a
// step; the service and its database are the file's, shared by the steps.
import { journey } from '@testbed/core'
import { expect } from 'vitest'
import { ACME, GLOBEX, onboardCustomer, type RunRow } from './customers.ts'
import { test } from './testbed.ts'

export interface SchedulingJourneyOptions {
  /** Makes phase 3 fail on purpose (a queue processed with a limit the API refuses). */
  breakPhase3?: boolean
}

const runs = (rows: RunRow[], customer: string) => rows.filter((r) => r.customer_id === customer)

export function schedulingJourney({ breakPhase3 = false }: SchedulingJourneyOptions = {}): void {
  journey('pipeline scheduling', { tags: ['e2e', 'tier3', 'requires_postgres'], test }, (j) =>
    j
      .step('phase 1: setup', async (_state, { fileScheduler, fileDatabase }) => {
        // Sunday 23:30 UTC: every pipeline's first run is still to come.
        await fileScheduler.setClock('2026-05-31T23:30:00Z')
        const acme = await onboardCustomer(fileScheduler.admin, ACME)
        const globex = await onboardCustomer(fileScheduler.admin, GLOBEX)
        expect(acme.api.apiKey).toMatch(/^acme_corp_api_/)
        expect(globex.api.apiKey).toMatch(/^globex_inc_api_/)
        const { rows: stored } = await fileDatabase.query(
          'SELECT customer_id, provider, ciphertext FROM provider_credentials ORDER BY customer_id, provider',
        )
        expect(stored.map((r) => `${r.customer_id}/${r.provider}`)).toEqual([
          'acme_corp/AWS',
          'acme_corp/GCP',
          'globex_inc/AZURE',
          'globex_inc/GCP',
        ])
        for (const row of stored) {
          expect(row.ciphertext).toMatch(/^(local|vault):v1:/)
          expect(row.ciphertext).not.toContain('secret')
        }
        const pipelines = await acme.api.get<Array<{ schedule: string; next_run_time: string }>>(
          '/api/v1/customers/pipelines',
        )
        expect(pipelines.map((p) => [p.schedule, p.next_run_time])).toEqual([
          ['0 2 * * *', '2026-06-01T02:00:00.000Z'],
          ['0 0 * * 1', '2026-06-01T00:00:00.000Z'],
          ['0 3 * * *', '2026-06-01T03:00:00.000Z'],
        ])
        return { acme, globex }
      })
      .step('phase 2: scheduler trigger', async ({ acme, globex }, { fileScheduler, fileDatabase }) => {
        // Monday 1 June, 03:00: all six are due (the 1st of the month, a Monday, past 2:00 and 3:00).
        await fileScheduler.setClock('2026-06-01T03:00:00Z')
        const triggered = await fileScheduler.admin.post<{
          triggered: number
          queued: Array<{ customer_id: string }>
        }>('/api/v1/scheduler/trigger')
        expect(triggered.triggered).toBeGreaterThanOrEqual(2)
        expect(triggered.triggered).toBe(6)
        expect(new Set(triggered.queued.map((q) => q.customer_id))).toEqual(
          new Set([acme.customer_id, globex.customer_id]),
        )
        const { rows } = await fileDatabase.query('SELECT state FROM scheduled_pipeline_runs')
        expect(rows).toHaveLength(6)
        for (const row of rows) expect(['SCHEDULED', 'PENDING']).toContain(row.state)
      })
      .step('phase 3: queue processing', async ({ acme, globex }, { fileScheduler }) => {
        const before = await fileScheduler.admin.get<{ queue_length: number }>(
          '/api/v1/scheduler/queue/status',
        )
        expect(before.queue_length).toBe(6)
        // Each pipeline's run is held mid-run (inside its transaction) until phase 5 lets it finish,
        // so phase 4 sees the runs the workers are running, not the moment one happened to end.
        for (const customer of [acme, globex])
          for (const configId of Object.values(customer.configs))
            await fileScheduler.admin.post(`/api/v1/admin/pipelines/${configId}/hold`)
        const processed = await fileScheduler.admin.post<{
          processed: Array<{ run_id: string; state: string; lease_expires_at: string }>
          queue_length_after: number
        }>('/api/v1/scheduler/process', { limit: breakPhase3 ? 0 : 5 })
        expect(processed.processed).toHaveLength(5)
        // Processing answers once it has claimed: every claimed run is RUNNING, under a lease.
        for (const run of processed.processed) {
          expect(run.state).toBe('RUNNING')
          expect(run.lease_expires_at).toBe('2026-06-01T03:05:00.000Z')
        }
        const all = await fileScheduler.admin.get<RunRow[]>('/api/v1/scheduler/scheduled')
        for (const { run_id } of processed.processed) {
          const run = all.find((r) => r.run_id === run_id)
          expect(run?.transitions).toEqual(['SCHEDULED', 'PENDING', 'RUNNING'])
        }
        const after = await fileScheduler.admin.get<{ queue_length: number }>(
          '/api/v1/scheduler/queue/status',
        )
        expect(after.queue_length).toBe(1)
        expect(after.queue_length).toBeLessThan(before.queue_length)
        expect(processed.queue_length_after).toBe(after.queue_length)
        return { runningIds: processed.processed.map((r) => r.run_id).sort() }
      })
      .step('phase 4: state management', async ({ acme, globex, runningIds }, { fileScheduler }) => {
        // The queue is taken in order of scheduled time, then of queueing (acme's before globex's):
        // 00:00 (both), 02:00 (both), then acme's 03:00; globex's hourly 03:00 is yet to run.
        const yetToRun = await fileScheduler.admin.get<RunRow[]>(
          '/api/v1/scheduler/scheduled?state=SCHEDULED',
        )
        expect(yetToRun.map((r) => [r.customer_id, r.config_id])).toEqual([
          [globex.customer_id, globex.configs.openai_usage_tracking],
        ])
        const running = await fileScheduler.admin.get<RunRow[]>('/api/v1/scheduler/scheduled?state=RUNNING')
        expect(running.map((r) => r.run_id).sort()).toEqual(runningIds)
        expect(
          runs(running, acme.customer_id)
            .map((r) => r.config_id)
            .sort(),
        ).toEqual(Object.values(acme.configs).sort())
        expect(
          runs(running, globex.customer_id)
            .map((r) => r.config_id)
            .sort(),
        ).toEqual([globex.configs.gcp_cost_billing, globex.configs.azure_compliance_check].sort())
        const expected = new Map<typeof acme, Record<string, number>>([
          [acme, { RUNNING: 3 }],
          [globex, { RUNNING: 2, SCHEDULED: 1 }],
        ])
        for (const [customer, counts] of expected) {
          const status = await customer.api.get<{
            configured_pipelines: number
            runs: Record<string, number>
          }>(`/api/v1/customers/${customer.customer_id}/status`)
          expect(status.configured_pipelines).toBe(3)
          expect(status.runs).toEqual(counts)
          const mine = await customer.api.get<RunRow[]>('/api/v1/scheduler/scheduled?state=RUNNING')
          expect(mine.map((r) => r.customer_id)).toEqual(Array(counts.RUNNING).fill(customer.customer_id))
          const queue = await customer.api.get<Record<string, number>>('/api/v1/scheduler/queue/status')
          expect(queue).toMatchObject({ RUNNING: counts.RUNNING, queue_length: counts.SCHEDULED ?? 0 })
        }
      })
      .step('phase 5: pipeline completion', async ({ acme, globex }, { fileScheduler, fileDatabase }) => {
        for (const customer of [acme, globex])
          for (const configId of Object.values(customer.configs))
            await fileScheduler.admin.post(`/api/v1/admin/pipelines/${configId}/release`)
        const processed = await fileScheduler.admin.post<{ processed: Array<{ config_id: string }> }>(
          '/api/v1/scheduler/process',
          { limit: 10 },
        )
        expect(processed.processed.map((r) => r.config_id)).toEqual([globex.configs.openai_usage_tracking])
        // Wait for the pipelines to complete: the service answers once no run runs on its workers.
        const settled = await fileScheduler.admin.post<{ waited_for: string[]; RUNNING: number }>(
          '/api/v1/scheduler/wait',
          { timeout_ms: 120_000 },
        )
        expect(settled.RUNNING).toBe(0)
        const all = await fileScheduler.admin.get<RunRow[]>('/api/v1/scheduler/scheduled?date=2026-06-01')
        expect(all.map((r) => r.state)).toEqual(Array(6).fill('COMPLETED'))
        for (const run of all)
          expect(run.transitions).toEqual(['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED'])
        const next = async (customer: typeof acme) =>
          (
            await customer.api.get<
              Array<{ template_name: string; last_run_time: string; next_run_time: string }>
            >('/api/v1/customers/pipelines')
          ).map((p) => [p.template_name, p.last_run_time, p.next_run_time])
        const ran = '2026-06-01T03:00:00.000Z'
        expect(await next(acme)).toEqual([
          ['gcp_cost_billing', ran, '2026-06-02T02:00:00.000Z'],
          ['gcp_security_audit', ran, '2026-06-08T00:00:00.000Z'],
          ['aws_cost_analysis', ran, '2026-06-02T03:00:00.000Z'],
        ])
        expect(await next(globex)).toEqual([
          ['gcp_cost_billing', ran, '2026-06-02T02:00:00.000Z'],
          ['azure_compliance_check', ran, '2026-07-01T00:00:00.000Z'],
          ['openai_usage_tracking', ran, '2026-06-01T04:00:00.000Z'],
        ])
        const { rows } = await fileDatabase.query(
          "SELECT summary->>'template' AS template, summary->>'credentials' AS credentials FROM pipeline_results ORDER BY 1",
        )
        expect(rows).toHaveLength(6)
        expect(rows.find((r) => r.template.startsWith('OPENAI'))?.credentials).toBe('none')
        expect(rows.filter((r) => r.credentials === 'decrypted')).toHaveLength(5)
      })
      .step('phase 6: quota enforcement', async ({ acme, globex }, { fileScheduler }) => {
        await fileScheduler.admin.put(`/api/v1/customers/${acme.customer_id}/subscription/quota`, {
          daily_limit: 1,
        })
        // Monday 8 June, 03:00: acme's three pipelines are all due again.
        await fileScheduler.setClock('2026-06-08T03:00:00Z')
        const triggered = await fileScheduler.admin.post<{
          queued: Array<{ customer_id: string }>
          skipped: Array<{ customer_id: string; error_message: string }>
        }>('/api/v1/scheduler/trigger')
        expect(runs(triggered.queued as RunRow[], acme.customer_id)).toHaveLength(1)
        expect(triggered.skipped).toHaveLength(2)
        for (const skip of triggered.skipped) {
          expect(skip.customer_id).toBe(acme.customer_id)
          expect(skip.error_message).toContain('quota exceeded')
        }
        expect(runs(triggered.queued as RunRow[], globex.customer_id).length).toBeGreaterThan(0)
        await fileScheduler.admin.post('/api/v1/scheduler/process', { limit: 10, wait: true })
        const acmeToday = await acme.api.get<RunRow[]>('/api/v1/scheduler/scheduled?date=2026-06-08')
        expect(acmeToday.filter((r) => r.state === 'COMPLETED')).toHaveLength(1)
        expect(acmeToday.filter((r) => r.error_message?.includes('quota exceeded'))).toHaveLength(2)
      })
      .step('phase 7: retry logic', async ({ globex }, { fileScheduler }) => {
        const openai = globex.configs.openai_usage_tracking as string
        await fileScheduler.admin.post(`/api/v1/admin/pipelines/${openai}/fail`, {
          error: 'OpenAI usage API answered 503',
        })
        await fileScheduler.setClock('2026-06-08T04:00:00Z')
        await fileScheduler.admin.post('/api/v1/scheduler/trigger')
        await fileScheduler.admin.post('/api/v1/scheduler/process', { limit: 10, wait: true })
        const attempts = await globex.api.get<RunRow[]>(
          `/api/v1/scheduler/scheduled?config_id=${openai}&date=2026-06-08`,
        )
        const slot = attempts.filter((r) => r.slot_time === '2026-06-08T04:00:00.000Z')
        expect(slot.map((r) => [r.retry_attempt, r.state])).toEqual([
          [0, 'FAILED'],
          [1, 'SCHEDULED'],
        ])
        expect(slot[0]?.error_message).toBe('OpenAI usage API answered 503')
        expect(slot[1]?.scheduled_time).toBe('2026-06-08T04:01:00.000Z')
        // The retry runs once its time has come, and completes.
        await fileScheduler.setClock('2026-06-08T04:01:00Z')
        await fileScheduler.admin.post('/api/v1/scheduler/process', { limit: 10, wait: true })
        const retried = await globex.api.get<RunRow[]>(
          `/api/v1/scheduler/scheduled?config_id=${openai}&state=COMPLETED`,
        )
        expect(retried.find((r) => r.retry_attempt === 1)?.slot_time).toBe('2026-06-08T04:00:00.000Z')
      })
      .step('phase 8: cleanup', async ({ acme, globex }, { fileScheduler, fileDatabase }) => {
        for (const customer of [acme, globex]) {
          const { deleted } = await fileScheduler.admin.delete<{ deleted: Record<string, number> }>(
            `/api/v1/customers/${customer.customer_id}`,
          )
          expect(deleted).toMatchObject({ customers: 1, pipeline_configurations: 3, provider_credentials: 2 })
          await expect(customer.api.get('/api/v1/customers/pipelines')).rejects.toThrow('401 unknown API key')
        }
        for (const table of [
          'customers',
          'provider_credentials',
          'pipeline_configurations',
          'scheduled_pipeline_runs',
          'run_state_transitions',
          'subscription_quotas',
          'pipeline_results',
        ]) {
          const { rows } = await fileDatabase.query(`SELECT count(*)::int AS n FROM ${table}`)
          expect({ table, rows: rows[0].n }).toEqual({ table, rows: 0 })
        }
      }),
  )
}
