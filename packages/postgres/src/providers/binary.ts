import { join } from 'node:path'
import { NotApplicable, type Provider } from '@testbed/core/config'
import { findPostgresBinaries } from '../binaries.js'
import type { PostgresFound } from '../connection.js'
import { type LocalServerOptions, startLocalServer } from './local-server.js'

/** `initdb` and `postgres` from PATH, or the newest `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu). */
export function binaryProvider(options: LocalServerOptions = {}): Provider<PostgresFound> {
  return {
    kind: 'binary',
    async start(ctx) {
      const dir = findPostgresBinaries()
      if (!dir) throw new NotApplicable('initdb and postgres are not on PATH or in /usr/lib/postgresql/*/bin')
      const programs = { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') }
      return { ...(await startLocalServer(ctx, programs, options)), detail: `from ${dir}` }
    },
  }
}
