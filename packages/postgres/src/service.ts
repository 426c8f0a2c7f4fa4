import { resolve } from 'node:path'
import { type ComposeServiceRef, defineService, type ServiceDefinition } from '@testbed/core/config'
import { type PostgresConnection, type PostgresFound, postgresEnv, redactedUrl } from './connection.js'
import { type Migrations, migrationsKey } from './migrations.js'
import { probePostgres } from './probe.js'
import { binaryProvider } from './providers/binary.js'
import { composeProvider } from './providers/compose.js'
import { type ContainerOptions, containerProvider } from './providers/container.js'
import { embeddedProvider } from './providers/embedded.js'
import { envProvider } from './providers/env.js'
import { provisionPostgres } from './provision.js'

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
export function postgres(
  options: PostgresOptions = {},
): ServiceDefinition<PostgresConnection, PostgresFound> {
  const local = { port: options.port, settings: options.settings, migrations: options.migrations }
  return defineService<PostgresConnection, PostgresFound>({
    name: 'postgres',
    description: 'PostgreSQL',
    providers: [
      envProvider(),
      ...(options.compose ? [composeProvider(options.compose)] : []),
      containerProvider({ ...options.container, settings: options.settings }),
      binaryProvider(local),
      embeddedProvider(local),
    ],
    probe: (found, signal) => probePostgres(found, signal),
    provision: (found, ctx) => provisionPostgres(found, ctx, options),
    // In watch mode, a changed migrations folder reruns the tests that use PostgreSQL.
    watch: () => (typeof options.migrations === 'string' ? [resolve(options.migrations)] : []),
    env: (connection) => postgresEnv(connection),
    endpoint: (connection) => redactedUrl(connection),
    // For the result cache: a changed migration re-runs the PostgreSQL tests.
    fingerprint: async () => ({
      migrations: await migrationsKey(options.migrations),
      settings: options.settings ?? {},
      image: options.container?.image ?? null,
    }),
  })
}
