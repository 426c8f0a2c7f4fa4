// The nats service through core's hub in this process, and nats-server as a separate process.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@testbed/core/config'
import { afterEach } from 'vitest'
import { type Started as StartedService, startService } from '../../core/test/start-service.ts'
import type { NatsConfig } from '../src/connection.ts'
import { type NatsOptions, nats } from '../src/service.ts'

export { ready, reasonOf, stopAndCheck } from '../../core/test/start-service.ts'
export type Started = StartedService<NatsConfig>

export function startNats(env: Record<string, string>, options: NatsOptions = {}): Promise<Started> {
  return startService(nats(options), env, /^(NATS_\w+|TESTBED_NATS_\w+)$/)
}

/** Where nats-server is on this machine (Debian: /usr/sbin, which a user's PATH may lack). */
export function natsServerPath(): string {
  return execFileSync('sh', ['-c', 'PATH="$PATH:/usr/sbin" command -v nats-server']).toString().trim()
}

const children: Array<{ child: ChildProcess; dir: string }> = []

/** nats-server in its own process (`args`: `-js`, auth), as `NATS_URL` would name a server someone else runs. */
export async function outsideServer(
  args: string[],
): Promise<{ port: number; child: ChildProcess; dir: string }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'nats-outside-'))
  const child = spawn(natsServerPath(), ['-a', '127.0.0.1', '-p', String(port), '-sd', dir, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  children.push({ child, dir })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('Server is ready')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`nats-server exited with ${code}: ${out}`)))
  })
  return { port, child, dir }
}

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async ({ child, dir }) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
      rmSync(dir, { recursive: true, force: true })
    }),
  )
})
