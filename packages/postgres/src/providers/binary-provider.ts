import { join } from 'node:path'
import { findBinaryDir, NotApplicable, type Provider, versionedDirs } from '@testbed/core/config'
import type { PostgresConnection } from '../connection.js'
import { type LocalServerOptions, startLocalServer } from './local-server.js'

/** `initdb` and `postgres` from PATH, or the newest `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu). */
export function binaryProvider(options: LocalServerOptions = {}): Provider<PostgresConnection> {
  return {
    kind: 'binary',
    async start(ctx) {
      const dir = findBinaryDir(['initdb', 'postgres'], versionedDirs('/usr/lib/postgresql', 'bin'))
      if (!dir) throw new NotApplicable('initdb and postgres are not on PATH or in /usr/lib/postgresql/*/bin')
      const instance = await startLocalServer(
        ctx,
        { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') },
        options,
      )
      return { ...instance, detail: `from ${dir}` }
    },
  }
}
