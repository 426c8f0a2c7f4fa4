import { defineService, type ServiceDefinition } from '@testbed/core/config'
import pg from 'pg'
import { connectionEnv, type PostgresConnection, redactedUrl } from './connection.js'
import type { Migrations } from './migrations.js'
import { probePostgres } from './probe.js'
import { binaryProvider } from './providers/binary-provider.js'
import { type ContainerOptions, containerProvider } from './providers/container-provider.js'
import { embeddedProvider } from './providers/embedded-provider.js'
import { envProvider } from './providers/env-provider.js'
import type { LocalServerOptions } from './providers/local-server.js'
import { cloneDatabase, dropDatabase, ensureTemplate } from './template-database.js'

export interface PostgresOptions {
  /** A folder of `.sql` files (applied in name order) or a function; built once into a template. */
  migrations?: Migrations
  container?: ContainerOptions
  /** For `binary` and `embedded`: a fixed port, server settings. */
  server?: LocalServerOptions
}

/** The PostgreSQL service: `env`, then `container`, `binary`, `embedded`. */
export function postgres(options: PostgresOptions = {}): ServiceDefinition<PostgresConnection> {
  return defineService<PostgresConnection>({
    name: 'postgres',
    description: 'PostgreSQL',
    providers: [
      envProvider(),
      containerProvider(options.container),
      binaryProvider(options.server),
      embeddedProvider(options.server),
    ],
    probe: (connection, signal) => probePostgres(connection, signal),
    async provision(connection, ctx) {
      ctx.progress('building the template database')
      const template = await ensureTemplate(connection, options.migrations)
      // A migrated database for the whole run: what the exported DATABASE_URL names.
      const shared = `testbed_run_${ctx.runId.replace(/\W/g, '_')}_${Math.random().toString(36).slice(2, 6)}`
      const admin = new pg.Client(connection)
      await admin.connect()
      try {
        await cloneDatabase(admin, template, shared)
      } finally {
        await admin.end()
      }
      ctx.onRelease(async () => {
        const client = new pg.Client(connection)
        await client.connect()
        await dropDatabase(client, shared).finally(() => client.end())
      })
      return { ...connection, template, shared }
    },
    env: (connection) => connectionEnv(connection),
    endpoint: (connection) => redactedUrl(connection),
  })
}
