import { ApiCallError } from '../src/api-client.ts'
import type { RunRow } from './customers.ts'
import { describe, expect, test } from './testbed.ts'

const onboard = (admin: import('../src/api-client.ts').SchedulerClient, name: string, plan: string) =>
  admin.post<{ customer_id: string; api_key: string }>('/api/v1/customers/onboard', { name, plan })

describe('scheduling API', { tags: ['requires_postgres', 'tier2'] }, () => {
  test('onboards a customer with a plan and an API key kept only as a hash', async ({
    scheduler,
    database,
  }) => {
    const acme = await onboard(scheduler.admin, 'acme_corp', 'PROFESSIONAL')
    expect(acme).toMatchObject({ customer_id: 'acme_corp', plan: 'PROFESSIONAL', quota: { daily_limit: 25 } })
    expect(acme.api_key).toMatch(/^acme_corp_api_[\w-]{32}$/)
    const { rows } = await database.query('SELECT api_key_hash FROM customers')
    expect(rows[0].api_key_hash).not.toContain(acme.api_key)
    await expect(onboard(scheduler.admin, 'acme_corp', 'SCALE')).rejects.toThrow(
      '409 customer acme_corp exists already',
    )
  })

  test('refuses a call without a key, with an unknown key, and a customer calling an admin operation', async ({
    scheduler,
  }) => {
    const anonymous = scheduler.admin.as('')
    await expect(anonymous.post('/api/v1/scheduler/trigger')).rejects.toThrow('401 X-API-Key header required')
    await expect(scheduler.admin.as('nope').get('/api/v1/customers/pipelines')).rejects.toThrow(
      '401 unknown API key',
    )
    const acme = scheduler.admin.as((await onboard(scheduler.admin, 'acme_corp', 'SCALE')).api_key)
    await expect(acme.post('/api/v1/scheduler/trigger')).rejects.toThrow(
      '403 this operation needs the admin key',
    )
    await expect(scheduler.admin.get('/api/v1/customers/pipelines')).rejects.toThrow(
      "403 this operation needs the customer's own API key",
    )
  })

  test('names what is wrong with bad input', async ({ scheduler }) => {
    const { admin } = scheduler
    await expect(onboard(admin, 'Acme Corp', 'SCALE')).rejects.toThrow('400 name must be 2-40 lower-case')
    await expect(onboard(admin, 'acme', 'GOLD')).rejects.toThrow(
      '400 plan must be one of PROFESSIONAL, SCALE',
    )
    const acme = admin.as((await onboard(admin, 'acme', 'SCALE')).api_key)
    const pipeline = { provider: 'GCP', domain: 'COST', template_name: 'billing', schedule: '0 2 * * *' }
    await expect(
      acme.post('/api/v1/customers/pipelines/configure', { ...pipeline, schedule: '0 2 * *' }),
    ).rejects.toThrow("400 invalid cron schedule '0 2 * *': five fields expected")
    await expect(
      acme.post('/api/v1/customers/pipelines/configure', { ...pipeline, schedule: '0 25 * * *' }),
    ).rejects.toThrow("400 invalid cron schedule '0 25 * * *'")
    await expect(
      acme.post('/api/v1/customers/pipelines/configure', { ...pipeline, provider: 'IBM' }),
    ).rejects.toThrow('400 provider must be one of GCP, AWS, AZURE, OPENAI')
    await expect(
      acme.post('/api/v1/customers/credentials', { provider: 'AWS', credentials: {} }),
    ).rejects.toThrow('400 credentials must be a non-empty object')
    await expect(admin.put('/api/v1/customers/acme/subscription/quota', { daily_limit: -1 })).rejects.toThrow(
      '400 daily_limit must be a non-negative integer',
    )
    await expect(admin.post('/api/v1/scheduler/process', { limit: 0 })).rejects.toThrow(
      '400 limit must be an integer from 1 to 100',
    )
    await expect(admin.post('/api/v1/scheduler/process', { wait: 'yes' })).rejects.toThrow(
      '400 wait must be true or false',
    )
    await expect(admin.post('/api/v1/scheduler/wait', { run_ids: 'run_1' })).rejects.toThrow(
      '400 run_ids must be an array of run ids',
    )
    await expect(admin.post('/api/v1/scheduler/wait', { timeout_ms: 0 })).rejects.toThrow(
      '400 timeout_ms must be a positive integer',
    )
    await expect(admin.get('/api/v1/scheduler/scheduled?state=DONE')).rejects.toThrow(
      '400 state must be one of',
    )
    await expect(admin.put('/api/v1/admin/clock', { now: 'tomorrow' })).rejects.toThrow(
      '400 now must be an ISO 8601 time',
    )
    await expect(admin.delete('/api/v1/customers/nobody')).rejects.toThrow('404 no customer nobody')
    const error = await admin
      .request('POST', '/api/v1/customers/onboard', undefined)
      .catch((e: ApiCallError) => e)
    expect(error).toBeInstanceOf(ApiCallError)
    expect((error as ApiCallError).status).toBe(400)
  })

  test('stores credentials only as ciphertext and never answers them', async ({ scheduler, database }) => {
    const acme = scheduler.admin.as((await onboard(scheduler.admin, 'acme', 'PROFESSIONAL')).api_key)
    const added = await acme.post('/api/v1/customers/credentials', {
      provider: 'aws',
      credentials: { access_key_id: 'AKIAEXAMPLE', secret_access_key: 's3cr3t' },
    })
    expect(added).toMatchObject({ provider: 'AWS', encrypted: true, cipher: 'local-aes-256-gcm' })
    expect(JSON.stringify(added)).not.toContain('s3cr3t')
    const { rows } = await database.query('SELECT ciphertext FROM provider_credentials')
    expect(rows[0].ciphertext).toMatch(/^local:v1:/)
    expect(rows[0].ciphertext).not.toContain('s3cr3t')
    expect(await acme.get('/api/v1/customers/credentials')).toEqual([
      { credential_id: expect.any(String), provider: 'AWS', created_at: expect.any(String) },
    ])
  })

  test('queues what is due at the clock, once however often it is triggered', async ({ scheduler }) => {
    const { admin } = scheduler
    await scheduler.setClock('2026-03-10T01:30:00Z')
    const acme = admin.as((await onboard(admin, 'acme', 'PROFESSIONAL')).api_key)
    const config = await acme.post<{ config_id: string; next_run_time: string }>(
      '/api/v1/customers/pipelines/configure',
      { provider: 'GCP', domain: 'COST', template_name: 'billing', schedule: '0 2 * * *' },
    )
    expect(config.next_run_time).toBe('2026-03-10T02:00:00.000Z')
    expect(await admin.post('/api/v1/scheduler/trigger')).toMatchObject({ triggered: 0 })
    await scheduler.setClock('2026-03-10T02:00:00Z')
    const [first, second] = await Promise.all([
      admin.post<{ triggered: number }>('/api/v1/scheduler/trigger'),
      admin.post<{ triggered: number }>('/api/v1/scheduler/trigger'),
    ])
    expect((first?.triggered ?? 0) + (second?.triggered ?? 0)).toBe(1)
    const runs = await admin.get<Array<{ slot_time: string; state: string }>>('/api/v1/scheduler/scheduled')
    expect(runs).toMatchObject([{ slot_time: '2026-03-10T02:00:00.000Z', state: 'SCHEDULED' }])
    const [pipeline] = await acme.get<Array<{ next_run_time: string }>>('/api/v1/customers/pipelines')
    expect(pipeline?.next_run_time).toBe('2026-03-11T02:00:00.000Z')
  })

  test('parallel workers process each run exactly once', async ({ scheduler, database }) => {
    const { admin } = scheduler
    await scheduler.setClock('2026-03-10T00:30:00Z')
    const acme = admin.as((await onboard(admin, 'acme', 'SCALE')).api_key)
    for (let i = 0; i < 8; i++)
      await acme.post('/api/v1/customers/pipelines/configure', {
        provider: 'OPENAI',
        domain: 'OBSERVABILITY',
        template_name: `usage_${i}`,
        schedule: '0 * * * *',
      })
    await scheduler.setClock('2026-03-10T01:00:00Z')
    expect(await admin.post('/api/v1/scheduler/trigger')).toMatchObject({ triggered: 8 })
    await Promise.all(
      [1, 2, 3, 4].map(() => admin.post('/api/v1/scheduler/process', { limit: 8, wait: true })),
    )
    const { rows } = await database.query(
      'SELECT state, count(*)::int AS n FROM scheduled_pipeline_runs GROUP BY state',
    )
    expect(rows).toEqual([{ state: 'COMPLETED', n: 8 }])
    const results = await database.query(
      'SELECT count(DISTINCT run_id)::int AS n, count(*)::int AS rows FROM pipeline_results',
    )
    expect(results.rows[0]).toEqual({ n: 8, rows: 8 })
  })

  test('a monthly limit refuses runs with quota exceeded, naming the limit', async ({ scheduler }) => {
    const { admin } = scheduler
    await scheduler.setClock('2026-03-10T00:30:00Z')
    const acme = admin.as((await onboard(admin, 'acme', 'PROFESSIONAL')).api_key)
    await acme.post('/api/v1/customers/pipelines/configure', {
      provider: 'AWS',
      domain: 'COST',
      template_name: 'aws_cost_analysis',
      schedule: '0 * * * *',
    })
    expect(await admin.put('/api/v1/customers/acme/subscription/quota', { monthly_limit: 0 })).toMatchObject({
      monthly_limit: 0,
      daily_limit: 25,
    })
    await scheduler.setClock('2026-03-10T01:00:00Z')
    expect(await admin.post('/api/v1/scheduler/trigger')).toMatchObject({
      triggered: 0,
      skipped: [{ error_message: 'quota exceeded: monthly limit of 0 pipeline runs reached' }],
    })
  })

  test('a run over the concurrent limit waits PENDING until a slot is free', async ({ scheduler }) => {
    const { admin } = scheduler
    await scheduler.setClock('2026-03-10T00:30:00Z')
    const acme = admin.as((await onboard(admin, 'acme', 'SCALE')).api_key)
    const configs: string[] = []
    for (const template_name of ['first', 'second'])
      configs.push(
        (
          await acme.post<{ config_id: string }>('/api/v1/customers/pipelines/configure', {
            provider: 'OPENAI',
            domain: 'OBSERVABILITY',
            template_name,
            schedule: '0 * * * *',
          })
        ).config_id,
      )
    await admin.put('/api/v1/customers/acme/subscription/quota', { concurrent_limit: 1 })
    await scheduler.setClock('2026-03-10T01:00:00Z')
    await admin.post('/api/v1/scheduler/trigger')
    // Whichever run a worker takes first is held RUNNING; a second worker finds no free slot.
    for (const id of configs) await admin.post(`/api/v1/admin/pipelines/${id}/hold`)
    const first = admin.post<{ processed: RunRow[] }>('/api/v1/scheduler/process', { limit: 1, wait: true })
    const held = await Promise.any(
      configs.map((id) => admin.post(`/api/v1/admin/pipelines/${id}/reached`).then(() => id)),
    )
    const other = configs.find((id) => id !== held) as string
    const second = await admin.post<{ processed: Array<RunRow & { waiting?: string }> }>(
      '/api/v1/scheduler/process',
      {
        limit: 1,
      },
    )
    expect(second.processed).toMatchObject([
      { config_id: other, state: 'PENDING', waiting: 'concurrent limit reached' },
    ])
    expect(await admin.get('/api/v1/scheduler/queue/status')).toMatchObject({ RUNNING: 1, PENDING: 1 })
    await admin.post(`/api/v1/admin/pipelines/${held}/release`)
    expect((await first).processed).toMatchObject([{ config_id: held, state: 'COMPLETED' }])
    await admin.post(`/api/v1/admin/pipelines/${other}/release`)
    const third = await admin.post<{ processed: RunRow[] }>('/api/v1/scheduler/process', {
      limit: 1,
      wait: true,
    })
    expect(third.processed).toMatchObject([{ config_id: other, state: 'COMPLETED' }])
  })

  test('a worker renews the lease of the run it runs, so a run longer than a lease is not taken back', async ({
    database,
    onTestFinished,
  }) => {
    const { startScheduler } = await import('./app-process.ts')
    const scheduler = await startScheduler({ ...database.env, SCHEDULER_LEASE_RENEW_MS: '20' })
    onTestFinished(() => scheduler.stop())
    const { admin } = scheduler
    await scheduler.setClock('2026-03-10T00:30:00Z')
    const acme = admin.as((await onboard(admin, 'acme', 'SCALE')).api_key)
    const { config_id } = await acme.post<{ config_id: string }>('/api/v1/customers/pipelines/configure', {
      provider: 'OPENAI',
      domain: 'OBSERVABILITY',
      template_name: 'long_export',
      schedule: '0 * * * *',
    })
    await scheduler.setClock('2026-03-10T01:00:00Z')
    await admin.post('/api/v1/scheduler/trigger')
    await admin.post(`/api/v1/admin/pipelines/${config_id}/hold`)
    const { processed } = await admin.post<{ processed: Array<RunRow & { lease_expires_at: string }> }>(
      '/api/v1/scheduler/process',
    )
    expect(processed).toMatchObject([{ state: 'RUNNING', lease_expires_at: '2026-03-10T01:05:00.000Z' }])
    await admin.post(`/api/v1/admin/pipelines/${config_id}/reached`)
    // The run takes longer than its first lease: its worker renews it from the clock's new time.
    await scheduler.setClock('2026-03-10T01:04:00Z')
    const renewed = new Date('2026-03-10T01:09:00Z')
    const until = Date.now() + 30_000
    let lease: Date | undefined
    while (Date.now() < until) {
      const { rows } = await database.query('SELECT lease_expires_at FROM scheduled_pipeline_runs')
      lease = rows[0]?.lease_expires_at
      if (lease?.getTime() === renewed.getTime()) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(lease).toEqual(renewed)
    await scheduler.setClock('2026-03-10T01:06:00Z')
    expect(await admin.post('/api/v1/scheduler/process')).toMatchObject({ reclaimed: [], processed: [] })
    await admin.post(`/api/v1/admin/pipelines/${config_id}/release`)
    expect(await admin.post('/api/v1/scheduler/wait')).toMatchObject({ RUNNING: 0, COMPLETED: 1 })
  })

  test('a customer sees only their own runs and status', async ({ scheduler }) => {
    const { admin } = scheduler
    const acme = admin.as((await onboard(admin, 'acme', 'SCALE')).api_key)
    await onboard(admin, 'globex', 'SCALE')
    await expect(acme.get('/api/v1/scheduler/scheduled?customer_id=globex')).rejects.toThrow(
      '403 a customer sees only their own data',
    )
    await expect(acme.get('/api/v1/customers/globex/status')).rejects.toThrow('403')
    expect(await acme.get('/api/v1/customers/acme/status')).toMatchObject({ customer_id: 'acme' })
  })

  test('the test-mode hooks name what is wrong', async ({ scheduler }) => {
    const { admin } = scheduler
    await expect(admin.post('/api/v1/admin/pipelines/cfg_x/fail', {})).rejects.toThrow(
      '400 error must be a non-empty string',
    )
    await expect(admin.post('/api/v1/admin/pipelines/cfg_x/fail', { error: 'e', times: 0 })).rejects.toThrow(
      '400 times must be a positive integer',
    )
    await expect(admin.post('/api/v1/admin/pipelines/cfg_x/release')).rejects.toThrow(
      '404 pipeline cfg_x is not held',
    )
    await expect(admin.post('/api/v1/admin/pipelines/cfg_x/reached')).rejects.toThrow(
      '404 pipeline cfg_x is not held',
    )
    await admin.post('/api/v1/admin/pipelines/cfg_x/hold')
    await expect(admin.post('/api/v1/admin/pipelines/cfg_x/hold')).rejects.toThrow(
      '400 pipeline cfg_x is held already',
    )
  })

  test('the test-mode admin routes do not exist outside test mode', async ({ database }) => {
    const { startScheduler } = await import('./app-process.ts')
    const app = await startScheduler({ ...database.env, SCHEDULER_TEST_MODE: '0' })
    try {
      await expect(app.setClock('2026-01-01T00:00:00Z')).rejects.toThrow('404 not found')
    } finally {
      await app.stop()
    }
  })

  test('refuses to start without its configuration, naming what is missing', async ({ database }) => {
    const { startScheduler } = await import('./app-process.ts')
    await expect(startScheduler({ ...database.env, SCHEDULER_ADMIN_KEY: '' })).rejects.toThrow(
      'SCHEDULER_ADMIN_KEY is required',
    )
    await expect(startScheduler({ SCHEDULER_ADMIN_KEY: 'k' })).rejects.toThrow('DATABASE_URL is required')
  })
})
