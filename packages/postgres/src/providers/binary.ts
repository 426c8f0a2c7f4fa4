import { join } from 'node:path'
import { diagnoseDiscovery, NotApplicable, type Provider, programsFound } from '@testbed/core/config'
import { findPostgresBinaries } from '../binaries.js'
import type { PostgresFound } from '../connection.js'
import { type LocalServerOptions, startLocalServer } from './local-server.js'

/** `initdb` and `postgres` from PATH, or the newest `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu). */
export function binaryProvider(options: LocalServerOptions = {}): Provider<PostgresFound> {
  return {
    kind: 'binary',
    async start(ctx) {
      const { dir, programs } = findPrograms()
      return { ...(await startLocalServer(ctx, programs, options)), detail: `from ${dir}` }
    },
    diagnose: (signal) =>
      diagnoseDiscovery(findPrograms, async ({ dir, programs }) => ({
        applicable: true,
        reason: `found in ${dir}`,
        found: await programsFound(programs, signal),
      })),
  }
}

function findPrograms(): { dir: string; programs: { initdb: string; postgres: string } } {
  const dir = findPostgresBinaries()
  if (!dir) throw new NotApplicable('initdb and postgres are not on PATH or in /usr/lib/postgresql/*/bin')
  return { dir, programs: { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') } }
}
