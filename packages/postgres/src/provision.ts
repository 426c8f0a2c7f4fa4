import { resolve } from 'node:path'
import type { ProviderContext } from '@testbed/core/config'
import type { PostgresConnection, PostgresFound } from './connection.js'
import type { Migrations } from './migrations.js'
import {
  cloneDatabase,
  dropDatabasesWithPrefix,
  ensureTemplate,
  serverVersion,
  withAdmin,
} from './template-database.js'

/**
 * Turns a server a provider found into what tests get: builds (or reuses) the template from
 * `options.migrations`, clones the run's shared database from it, and has the run drop every
 * database it made at its end.
 */
export async function provisionPostgres(
  found: PostgresFound,
  ctx: ProviderContext,
  options: { migrations?: Migrations | undefined },
): Promise<PostgresConnection> {
  ctx.progress('building the template database')
  // Every database of this run carries its prefix; a migrated one for the whole run is what the
  // exported DATABASE_URL names. At the end the run drops all of them, crashed workers' too.
  const prefix = `testbed_${Math.random().toString(36).slice(2, 10)}`
  const shared = `${prefix}_shared`
  // One connection for all three: each costs a backend's start, on the way to the first test.
  const { template, cloneStrategy } = await withAdmin(found, async (admin) => {
    const template = await ensureTemplate(found, options.migrations, admin)
    // On a throwaway server a file copy beats WAL-logging every page of the template (PostgreSQL ≥ 15
    // offers the choice); on a server someone else runs, its checkpoint would cost them: default there.
    const cloneStrategy =
      found.throwaway && (await serverVersion(admin)) >= 150000 ? ('FILE_COPY' as const) : undefined
    await cloneDatabase(admin, template, shared, cloneStrategy)
    return { template, cloneStrategy }
  })
  ctx.onRelease(() => withAdmin(found, (admin) => dropDatabasesWithPrefix(admin, prefix)))
  const { migrations } = options
  return {
    ...found,
    template,
    shared,
    prefix,
    ...(cloneStrategy ? { cloneStrategy } : {}),
    ...(typeof migrations === 'string' ? { migrationsDir: resolve(migrations) } : {}),
  }
}
