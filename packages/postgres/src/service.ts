import { type ComposeServiceRef, defineService, type ServiceDefinition } from '@testbed/core/config'
import { connectionEnv, type PostgresConnection, redactedUrl } from './connection.js'
import type { Migrations } from './migrations.js'
import { probePostgres } from './probe.js'
import { binaryProvider } from './providers/binary.js'
import { composeProvider } from './providers/compose.js'
import { type ContainerOptions, containerProvider } from './providers/container.js'
import { embeddedProvider } from './providers/embedded.js'
import { envProvider } from './providers/env.js'
import {
  cloneDatabase,
  dropDatabasesWithPrefix,
  ensureTemplate,
  serverVersion,
  withAdmin,
} from './template-database.js'

export interface PostgresOptions {
  /** A folder of `.sql` files (applied in name order) or a function; built once into a template. */
  migrations?: Migrations
  /** Settings for every server Testbed starts, on top of its test settings (`fsync=off`, …). */
  settings?: Record<string, string>
  /** For `binary` and `embedded`: listen on this port instead of a free one. */
  port?: number
  container?: Omit<ContainerOptions, 'settings'>
  /** A service of a compose file (`composeStack(…).service('postgres')`), tried right after `env`. */
  compose?: ComposeServiceRef
}

/** The PostgreSQL service: `env`, then `compose` (when given), `container`, `binary`, `embedded`. */
export function postgres(options: PostgresOptions = {}): ServiceDefinition<PostgresConnection> {
  const local = { port: options.port, settings: options.settings }
  return defineService<PostgresConnection>({
    name: 'postgres',
    description: 'PostgreSQL',
    providers: [
      envProvider(),
      ...(options.compose ? [composeProvider(options.compose)] : []),
      containerProvider({ ...options.container, settings: options.settings }),
      binaryProvider(local),
      embeddedProvider(local),
    ],
    probe: (connection, signal) => probePostgres(connection, signal),
    async provision(connection, ctx) {
      ctx.progress('building the template database')
      const template = await ensureTemplate(connection, options.migrations)
      // Every database of this run carries its prefix; a migrated one for the whole run is what the
      // exported DATABASE_URL names. At the end the run drops all of them, crashed workers' too.
      const prefix = `testbed_${Math.random().toString(36).slice(2, 10)}`
      const shared = `${prefix}_shared`
      // On a throwaway server a file copy beats WAL-logging every page of the template (PostgreSQL ≥ 15
      // offers the choice); on a server someone else runs, its checkpoint would cost them: default there.
      const cloneStrategy =
        connection.throwaway && (await serverVersion(connection)) >= 150000 ? 'FILE_COPY' : undefined
      await withAdmin(connection, (admin) => cloneDatabase(admin, template, shared, cloneStrategy))
      ctx.onRelease(() => withAdmin(connection, (admin) => dropDatabasesWithPrefix(admin, prefix)))
      return { ...connection, template, shared, prefix, cloneStrategy }
    },
    env: (connection) => connectionEnv(connection),
    endpoint: (connection) => redactedUrl(connection),
  })
}
