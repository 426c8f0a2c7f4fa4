import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { SchedulerClient } from '../src/api-client.ts'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))

export const ADMIN_KEY = 'admin_test_key'

/** This worker's environment without the services' variables: each test says which services the app gets. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VAULT_|DATABASE_URL$|PG|SCHEDULER_)/.test(key)),
  )
}

export interface SchedulerProcess {
  url: string
  child: ChildProcess
  /** The API with the admin key; `.as(apiKey)` for a customer. */
  admin: SchedulerClient
  /** Sets the service's clock (test mode). */
  setClock(to: string): Promise<void>
  /** SIGTERM: the service lets its runs end, then exits. */
  stop(): Promise<void>
  /** SIGKILL: the process dies at once, as a worker that is lost. */
  kill(): Promise<void>
}

/**
 * The scheduling service in its own process, as deployed: configured by environment, reached over
 * HTTP, in test mode (settable clock, from `SCHEDULER_START_TIME`), credentials encrypted with a
 * local key unless `env` gives Vault.
 */
export async function startScheduler(env: Record<string, string>): Promise<SchedulerProcess> {
  const child = spawn(process.execPath, [main], {
    env: {
      ...baseEnv(),
      SCHEDULER_ADMIN_KEY: ADMIN_KEY,
      SCHEDULER_TEST_MODE: '1',
      ...(env.VAULT_ADDR ? {} : { SCHEDULER_CREDENTIALS_KEY: 'local-test-credentials-key' }),
      ...env,
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
      const match = /listening on (\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.once('exit', (code) => reject(new Error(`the scheduling service exited with ${code}: ${output}`)))
  })
  const exited = once(child, 'exit')
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
  }
  const url = `http://127.0.0.1:${port}`
  const admin = new SchedulerClient(url, ADMIN_KEY)
  return {
    url,
    child,
    admin,
    setClock: async (to) => {
      await admin.put('/api/v1/admin/clock', { now: to })
    },
    async stop() {
      await end('SIGTERM')
    },
    async kill() {
      await end('SIGKILL')
    },
  }
}
