import { join } from 'node:path'
import { diagnoseDiscovery, NotApplicable, type Provider, programsFound } from '@testbed/core/config'
import { natsServerDir } from '../binaries.js'
import type { NatsFound } from '../connection.js'

export interface BinaryOptions {
  /** Listen here instead of on a free port. */
  port?: number
}

/**
 * `nats-server` from PATH (Debian's package installs `/usr/sbin/nats-server`) with JetStream, on
 * 127.0.0.1, a random password, and its store in a temp dir (in memory when there is room).
 */
export function binaryProvider(options: BinaryOptions = {}): Provider<NatsFound> {
  return {
    kind: 'binary',
    async start(ctx) {
      const dir = findDir()
      const port = await ctx.port(options.port)
      const store = await ctx.tempDir({ memory: true })
      const pass = ctx.secret()
      const args = [
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(port),
        '-sd',
        store,
        '--user',
        'testbed',
        '--pass',
        pass,
      ]
      await ctx.spawnServer(join(dir, 'nats-server'), args, { stopSignal: 'SIGTERM' })
      return {
        connection: {
          servers: [`nats://127.0.0.1:${port}`],
          user: 'testbed',
          pass,
          credentialsSource: 'the nats-server Testbed started',
          throwaway: true,
        },
        detail: `from ${dir}`,
      }
    },
    diagnose: (signal) =>
      diagnoseDiscovery(findDir, async (dir) => ({
        applicable: true,
        reason: `found in ${dir}`,
        found: await programsFound({ 'nats-server': join(dir, 'nats-server') }, signal),
      })),
  }
}

function findDir(): string {
  const dir = natsServerDir()
  if (!dir) throw new NotApplicable('nats-server is not on PATH (Debian: apt install nats-server)')
  return dir
}
