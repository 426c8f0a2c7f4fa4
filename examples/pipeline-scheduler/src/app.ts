import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type pg from 'pg'
import { type Clock, settableClock, systemClock } from './clock.ts'
import { type CredentialCipher, localCipher, vaultTransitCipher } from './credential-cipher.ts'
import { addCredentials, listCredentials } from './credentials.ts'
import { customerByKey, customerStatus, deleteCustomer, onboard, updateQuota } from './customers.ts'
import { createPool } from './db.ts'
import { ApiError, badRequest, notFound } from './errors.ts'
import type { Executor } from './executor.ts'
import { migrate } from './migrate.ts'
import { configurePipeline, listPipelines } from './pipelines.ts'
import { listRuns, processQueue, queueStatus, waitForRuns } from './queue.ts'
import { TestHooks } from './test-hooks.ts'
import { triggerScheduler } from './trigger.ts'
import { Workers } from './workers.ts'

export interface AppOptions {
  databaseUrl: string
  /** The key of the operator: onboards and deletes customers, triggers and processes the queue. */
  adminKey: string
  cipher: CredentialCipher
  /** Test mode: the clock may be set and runs failed or held through `/api/v1/admin/…`. */
  testMode?: boolean
  /** In test mode, where the clock starts. */
  startTime?: Date
  /** How often a worker renews its runs' leases (wall time); default RENEW_EVERY_MS. */
  leaseRenewMs?: number | undefined
}

type Caller = { admin: true } | { admin: false; customerId: string }

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = ''
  for await (const chunk of req) raw += chunk
  if (!raw) return {}
  let body: unknown
  try {
    body = JSON.parse(raw)
  } catch {
    throw badRequest('the body must be JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('the body must be a JSON object')
  return body as Record<string, unknown>
}

const sameKey = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** The pipeline scheduling API: `/api/v1/…`, callers authenticated by `X-API-Key`. */
export function createApp(options: AppOptions): { server: Server; pool: pg.Pool; close(): Promise<void> } {
  const pool = createPool(options.databaseUrl)
  const clock: Clock = options.testMode ? settableClock(options.startTime) : systemClock()
  const hooks = options.testMode ? new TestHooks() : undefined
  const executor: Executor = { pool, clock, cipher: options.cipher, hooks }
  const workers = new Workers(executor, options.leaseRenewMs)

  async function authenticate(req: IncomingMessage): Promise<Caller> {
    const key = req.headers['x-api-key']
    if (typeof key !== 'string' || !key) throw new ApiError(401, 'X-API-Key header required')
    if (sameKey(key, options.adminKey)) return { admin: true }
    const customerId = await customerByKey(pool, key)
    if (!customerId) throw new ApiError(401, 'unknown API key')
    return { admin: false, customerId }
  }
  const adminOnly = (caller: Caller) => {
    if (!caller.admin) throw new ApiError(403, 'this operation needs the admin key')
  }
  const customerOnly = (caller: Caller): string => {
    if (caller.admin) throw new ApiError(403, "this operation needs the customer's own API key")
    return caller.customerId
  }
  /** The admin may name any customer; a customer only themselves. */
  const customerScope = (caller: Caller, named: string | undefined): string | undefined => {
    if (caller.admin) return named
    if (named && named !== caller.customerId) throw new ApiError(403, 'a customer sees only their own data')
    return caller.customerId
  }
  const testHooks = (): TestHooks => {
    if (!hooks) throw notFound('not found')
    return hooks
  }

  async function route(req: IncomingMessage, caller: Caller): Promise<[number, unknown]> {
    const url = new URL(req.url ?? '/', 'http://scheduler')
    const path = url.pathname
    const method = req.method ?? 'GET'
    const param = (name: string) => url.searchParams.get(name) ?? undefined
    const customerRoute = /^\/api\/v1\/customers\/([^/]+)(\/status|\/subscription\/quota)?$/.exec(path)
    const hookRoute = /^\/api\/v1\/admin\/pipelines\/([^/]+)\/(fail|hold|reached|release)$/.exec(path)
    if (method === 'POST' && path === '/api/v1/customers/onboard') {
      adminOnly(caller)
      return [201, await onboard(pool, await readJson(req))]
    }
    if (method === 'POST' && path === '/api/v1/customers/credentials')
      return [201, await addCredentials(pool, options.cipher, customerOnly(caller), await readJson(req))]
    if (method === 'GET' && path === '/api/v1/customers/credentials')
      return [200, await listCredentials(pool, customerOnly(caller))]
    if (method === 'POST' && path === '/api/v1/customers/pipelines/configure')
      return [201, await configurePipeline(pool, clock, customerOnly(caller), await readJson(req))]
    if (method === 'GET' && path === '/api/v1/customers/pipelines')
      return [200, await listPipelines(pool, customerOnly(caller))]
    if (customerRoute?.[2] === '/status' && method === 'GET')
      return [200, await customerStatus(pool, clock, customerScope(caller, customerRoute[1]) as string)]
    if (customerRoute?.[2] === '/subscription/quota' && method === 'PUT') {
      adminOnly(caller)
      return [200, await updateQuota(pool, clock, customerRoute[1] as string, await readJson(req))]
    }
    if (customerRoute && !customerRoute[2] && method === 'DELETE') {
      adminOnly(caller)
      return [200, await deleteCustomer(pool, customerRoute[1] as string)]
    }
    if (method === 'POST' && path === '/api/v1/scheduler/trigger') {
      adminOnly(caller)
      return [200, await triggerScheduler(pool, clock)]
    }
    if (method === 'POST' && path === '/api/v1/scheduler/process') {
      adminOnly(caller)
      return [200, await processQueue(executor, workers, await readJson(req))]
    }
    if (method === 'POST' && path === '/api/v1/scheduler/wait') {
      adminOnly(caller)
      return [200, await waitForRuns(executor, workers, await readJson(req))]
    }
    if (method === 'GET' && path === '/api/v1/scheduler/scheduled')
      return [
        200,
        await listRuns(pool, {
          customer_id: customerScope(caller, param('customer_id')),
          state: param('state'),
          date: param('date'),
          config_id: param('config_id'),
        }),
      ]
    if (method === 'GET' && path === '/api/v1/scheduler/queue/status')
      return [200, await queueStatus(pool, customerScope(caller, param('customer_id')))]
    if (path.startsWith('/api/v1/admin/')) {
      const test = testHooks()
      adminOnly(caller)
      if (method === 'GET' && path === '/api/v1/admin/clock') return [200, { now: clock.now() }]
      if (method === 'PUT' && path === '/api/v1/admin/clock') {
        const { now } = await readJson(req)
        const to = typeof now === 'string' ? new Date(now) : undefined
        if (!to || Number.isNaN(to.getTime())) throw badRequest('now must be an ISO 8601 time')
        clock.set(to)
        return [200, { now: clock.now() }]
      }
      if (hookRoute && method === 'POST') {
        const [, configId, action] = hookRoute as unknown as [string, string, string]
        if (action === 'fail') {
          const { error, times } = await readJson(req)
          test.failNext(configId, error, times)
        } else if (action === 'hold') test.hold(configId)
        else if (action === 'reached') await test.reached(configId)
        else test.release(configId)
        return [200, { config_id: configId, [action]: true }]
      }
    }
    throw notFound(`no route ${method} ${path}`)
  }

  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    try {
      const [status, body] = await route(req, await authenticate(req))
      send(status, body)
    } catch (error) {
      if (error instanceof ApiError) send(error.status, { error: error.message })
      else send(500, { error: (error as Error).message })
    }
  })
  return {
    server,
    pool,
    async close() {
      // Held runs are let go, and the runs in flight end before the pool does; a run that cannot
      // record its end stays RUNNING under its lease, and is taken back once it expires.
      hooks?.releaseAll()
      const closed = new Promise((resolve) => server.close(resolve))
      await workers.drain()
      await closed
      await pool.end()
    },
  }
}

/** Reads its configuration from the environment, as deployed services do; applies its migrations. */
export async function appFromEnv(env: NodeJS.ProcessEnv = process.env) {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required')
  if (!env.SCHEDULER_ADMIN_KEY) throw new Error('SCHEDULER_ADMIN_KEY is required')
  let cipher: CredentialCipher
  if (env.VAULT_ADDR && env.VAULT_TOKEN)
    cipher = vaultTransitCipher(env.VAULT_ADDR, env.VAULT_TOKEN, env.SCHEDULER_TRANSIT_KEY ?? 'test-data-key')
  else if (env.SCHEDULER_CREDENTIALS_KEY) cipher = localCipher(env.SCHEDULER_CREDENTIALS_KEY)
  else
    throw new Error(
      'credentials need VAULT_ADDR and VAULT_TOKEN (Vault transit) or SCHEDULER_CREDENTIALS_KEY',
    )
  const startTime = env.SCHEDULER_START_TIME ? new Date(env.SCHEDULER_START_TIME) : undefined
  if (startTime && Number.isNaN(startTime.getTime()))
    throw new Error(`SCHEDULER_START_TIME is not an ISO 8601 time: ${env.SCHEDULER_START_TIME}`)
  const leaseRenewMs = env.SCHEDULER_LEASE_RENEW_MS ? Number(env.SCHEDULER_LEASE_RENEW_MS) : undefined
  if (leaseRenewMs !== undefined && !(Number.isInteger(leaseRenewMs) && leaseRenewMs > 0))
    throw new Error(`SCHEDULER_LEASE_RENEW_MS is not a positive integer: ${env.SCHEDULER_LEASE_RENEW_MS}`)
  const app = createApp({
    databaseUrl: env.DATABASE_URL,
    adminKey: env.SCHEDULER_ADMIN_KEY,
    cipher,
    testMode: env.SCHEDULER_TEST_MODE === '1',
    startTime,
    leaseRenewMs,
  })
  try {
    await migrate(app.pool)
  } catch (error) {
    await app.close().catch(() => {})
    throw error
  }
  return app
}
