// The nats service through core's hub in this process, and nats-server as a separate process.
import { type ChildProcess, execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@testbed/core/config'
import { startOutsideProcess } from '@testbed/test-support/outside-process'
import { type Started as StartedService, startService } from '@testbed/test-support/start-service'
import type { NatsConnection } from '../src/connection.ts'
import { type NatsOptions, nats } from '../src/service.ts'

export { ready, reasonOf, stopAndCheck } from '@testbed/test-support/start-service'
export type Started = StartedService<NatsConnection>

export function startNats(env: Record<string, string>, options: NatsOptions = {}): Promise<Started> {
  return startService(nats(options), env, /^(NATS_\w+|TESTBED_NATS_\w+)$/)
}

/** Where nats-server is on this machine (Debian: /usr/sbin, which a user's PATH may lack). */
export function natsServerPath(): string {
  return execFileSync('sh', ['-c', 'PATH="$PATH:/usr/sbin" command -v nats-server']).toString().trim()
}

/** nats-server in its own process (`args`: `-js`, auth), as `NATS_URL` would name a server someone else runs. */
export async function outsideServer(
  args: string[],
): Promise<{ port: number; child: ChildProcess; dir: string }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'nats-outside-'))
  const serverArgs = ['-a', '127.0.0.1', '-p', String(port), '-sd', dir, ...args]
  const { child } = await startOutsideProcess(natsServerPath(), serverArgs, { ready: /Server is ready/, dir })
  return { port, child, dir }
}
