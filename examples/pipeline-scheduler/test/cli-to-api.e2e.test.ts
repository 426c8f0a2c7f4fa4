// A tier-3 journey across channels: an operator and a customer work through the CLI, and what they
// did is observed through the HTTP API (and the other way round at the end).
import { writeFile } from 'node:fs/promises'
import { journey } from '@testbed/core'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { ADMIN_KEY } from './app-process.ts'
import { runCli } from './cli-process.ts'
import type { RunRow } from './customers.ts'
import { expect, test } from './testbed.ts'

journey(
  'created through the CLI, observed through the API',
  { tags: ['e2e', 'tier3', 'requires_postgres'], test },
  (j) =>
    j
      .step('the operator onboards a customer through the CLI', async (_state, { fileScheduler }) => {
        await fileScheduler.setClock('2026-06-01T01:00:00Z')
        const result = await runCli(fileScheduler.url, ADMIN_KEY, [
          'onboard',
          '--name',
          'initech',
          '--plan',
          'SCALE',
        ])
        expect(result.code).toBe(0)
        const { customer_id, api_key } = result.json<{ customer_id: string; api_key: string }>()
        const status = await fileScheduler.admin.get<{ plan: string; configured_pipelines: number }>(
          `/api/v1/customers/${customer_id}/status`,
        )
        expect(status).toMatchObject({ plan: 'SCALE', configured_pipelines: 0 })
        return { customerId: customer_id, apiKey: api_key }
      })
      .step(
        'the customer adds credentials and a pipeline through the CLI',
        async ({ apiKey }, { fileScheduler }) => {
          const file = `${scratchDir('scheduler-cli')}/gcp.json`
          await writeFile(file, JSON.stringify({ type: 'service_account', private_key: 'initech-secret' }))
          const added = await runCli(fileScheduler.url, apiKey, [
            'credentials',
            'add',
            '--provider',
            'gcp',
            '--file',
            file,
          ])
          expect(added.code).toBe(0)
          const configured = await runCli(fileScheduler.url, apiKey, [
            'pipelines',
            'configure',
            '--provider',
            'GCP',
            '--domain',
            'COST',
            '--template',
            'gcp_cost_billing',
            '--schedule',
            '0 2 * * *',
          ])
          expect(configured.code).toBe(0)
          const api = fileScheduler.admin.as(apiKey)
          expect(await api.get('/api/v1/customers/credentials')).toMatchObject([{ provider: 'GCP' }])
          const pipelines = await api.get<Array<{ config_id: string; next_run_time: string }>>(
            '/api/v1/customers/pipelines',
          )
          expect(pipelines).toMatchObject([{ next_run_time: '2026-06-01T02:00:00.000Z' }])
          return { configId: pipelines[0]?.config_id as string }
        },
      )
      .step(
        'the operator triggers and processes through the CLI',
        async ({ configId, apiKey }, { fileScheduler }) => {
          await fileScheduler.setClock('2026-06-01T02:00:00Z')
          const triggered = await runCli(fileScheduler.url, ADMIN_KEY, ['trigger'])
          expect(triggered.json()).toMatchObject({ triggered: 1 })
          const processed = await runCli(fileScheduler.url, ADMIN_KEY, ['process', '--limit', '5', '--wait'])
          expect(processed.json()).toMatchObject({ processed: [{ config_id: configId, state: 'COMPLETED' }] })
          const runs = await fileScheduler.admin
            .as(apiKey)
            .get<RunRow[]>('/api/v1/scheduler/scheduled?date=2026-06-01')
          expect(runs.map((r) => [r.config_id, r.state, r.transitions.join(' → ')])).toEqual([
            [configId, 'COMPLETED', 'SCHEDULED → PENDING → RUNNING → COMPLETED'],
          ])
          const settled = await runCli(fileScheduler.url, ADMIN_KEY, ['wait'])
          expect(settled.json()).toMatchObject({ waited_for: [], RUNNING: 0, COMPLETED: 1 })
          const cliRuns = await runCli(fileScheduler.url, apiKey, ['runs', '--state', 'COMPLETED'])
          expect(cliRuns.json<RunRow[]>().map((r) => r.run_id)).toEqual(runs.map((r) => r.run_id))
        },
      )
      .step(
        'a quota set through the API is what the CLI reports',
        async ({ customerId }, { fileScheduler }) => {
          await fileScheduler.admin.put(`/api/v1/customers/${customerId}/subscription/quota`, {
            concurrent_limit: 2,
          })
          const status = await runCli(fileScheduler.url, ADMIN_KEY, ['status', '--customer', customerId])
          expect(status.json()).toMatchObject({ quota: { concurrent_limit: 2, pipelines_run_today: 1 } })
        },
      )
      .step(
        'the operator deletes the customer through the CLI',
        async ({ customerId, apiKey }, { fileScheduler }) => {
          const deleted = await runCli(fileScheduler.url, ADMIN_KEY, ['delete', '--customer', customerId])
          expect(deleted.json()).toMatchObject({ deleted: { customers: 1, pipeline_configurations: 1 } })
          await expect(fileScheduler.admin.as(apiKey).get('/api/v1/customers/pipelines')).rejects.toThrow(
            '401',
          )
          await expect(fileScheduler.admin.get(`/api/v1/customers/${customerId}/status`)).rejects.toThrow(
            `404 no customer ${customerId}`,
          )
        },
      ),
)
