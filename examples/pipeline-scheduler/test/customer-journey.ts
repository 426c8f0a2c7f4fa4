// One customer's journey from onboarding to deletion, asserting at every step that nothing of any
// other customer is visible: not in the API's answers, not in any table of the file's database.
// Two files run it for the two customers; Vitest runs files in parallel workers.
import { journey } from '@testbed/core'
import type { TestDatabase } from '@testbed/postgres'
import { expect } from 'vitest'
import { type CustomerSpec, onboardCustomer, type RunRow } from './customers.ts'
import { test } from './testbed.ts'

const TABLES = [
  'customers',
  'provider_credentials',
  'pipeline_configurations',
  'scheduled_pipeline_runs',
  'subscription_quotas',
  'pipeline_results',
]

/** The customers each table holds rows of. */
async function customersIn(database: TestDatabase): Promise<Record<string, string[]>> {
  const seen: Record<string, string[]> = {}
  for (const table of TABLES) {
    const { rows } = await database.query(`SELECT DISTINCT customer_id FROM ${table} ORDER BY 1`)
    seen[table] = rows.map((r) => r.customer_id)
  }
  return seen
}

const only = (customer: string) => Object.fromEntries(TABLES.map((t) => [t, [customer]]))

export function customerJourney(spec: CustomerSpec): void {
  journey(`${spec.name} alone`, { tags: ['e2e', 'tier3', 'requires_postgres'], test }, (j) =>
    j
      .step('onboarded with credentials and pipelines', async (_state, { fileScheduler, fileDatabase }) => {
        await fileScheduler.setClock('2026-05-31T23:30:00Z')
        const customer = await onboardCustomer(fileScheduler.admin, spec)
        const { rows } = await fileDatabase.query('SELECT customer_id FROM customers')
        expect(rows).toEqual([{ customer_id: spec.name }])
        return { customer }
      })
      .step(
        'its runs queued and completed, and no one else’s',
        async ({ customer }, { fileScheduler, fileDatabase }) => {
          await fileScheduler.setClock('2026-06-01T03:00:00Z')
          const triggered = await fileScheduler.admin.post<{ queued: Array<{ customer_id: string }> }>(
            '/api/v1/scheduler/trigger',
          )
          expect(triggered.queued.map((q) => q.customer_id)).toEqual(spec.pipelines.map(() => spec.name))
          await fileScheduler.admin.post('/api/v1/scheduler/process', { limit: 10, wait: true })
          const all = await fileScheduler.admin.get<RunRow[]>('/api/v1/scheduler/scheduled')
          expect(all.map((r) => [r.customer_id, r.state])).toEqual(
            spec.pipelines.map(() => [spec.name, 'COMPLETED']),
          )
          const status = await fileScheduler.admin.get<Record<string, number>>(
            '/api/v1/scheduler/queue/status',
          )
          expect(status.COMPLETED).toBe(spec.pipelines.length)
          expect(await customersIn(fileDatabase)).toEqual(only(customer.customer_id))
        },
      )
      .step('deleted, leaving nothing', async ({ customer }, { fileScheduler, fileDatabase }) => {
        await fileScheduler.admin.delete(`/api/v1/customers/${customer.customer_id}`)
        expect(await customersIn(fileDatabase)).toEqual(Object.fromEntries(TABLES.map((t) => [t, []])))
      }),
  )
}
