import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { diagnoseDiscovery, NotApplicable, type Provider, programsFound } from '@testbed/core/config'
import { findRedisServer } from '../binaries.js'
import { type RedisFound, redisFound } from '../connection.js'
import { SERVER_PASSWORD_SOURCE as passwordSource } from './server-password.js'

export interface BinaryOptions {
  /** Listen here instead of on a free port. */
  port?: number
}

/** `redis-server`'s arguments for a server of one run: on 127.0.0.1 and `port`, no persistence, `dir` its directory. */
export function serverArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]
}

/**
 * `redis-server` from PATH (Debian: /usr/bin/redis-server) on 127.0.0.1, no persistence, its dir a
 * temp dir, a random password (in a config file, not on the command line).
 */
export function binaryProvider(options: BinaryOptions = {}): Provider<RedisFound> {
  return {
    kind: 'binary',
    async start(ctx) {
      const dir = findDir()
      const program = join(dir, 'redis-server')
      const data = await ctx.tempDir({ memory: true })
      const password = ctx.secret()
      const config = join(data, 'redis.conf')
      await writeFile(config, `requirepass ${password}\n`, { mode: 0o600 })
      const port = await ctx.port(options.port)
      await ctx.spawnServer(program, [config, ...serverArgs(port, data), '--daemonize', 'no'])
      return {
        connection: redisFound({
          host: '127.0.0.1',
          port,
          password,
          passwordSource,
          db: 0,
          throwaway: true,
        }),
        detail: `from ${dir}`,
      }
    },
    diagnose: (signal) =>
      diagnoseDiscovery(findDir, async (dir) => ({
        applicable: true,
        reason: `found in ${dir}`,
        found: await programsFound({ 'redis-server': join(dir, 'redis-server') }, signal),
      })),
  }
}

function findDir(): string {
  const dir = findRedisServer()
  if (!dir) throw new NotApplicable('redis-server is not on PATH')
  return dir
}
