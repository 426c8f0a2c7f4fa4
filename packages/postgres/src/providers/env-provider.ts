import { existingServerReadiness, NotApplicable, type Provider } from '@testbed/core/config'
import { parse } from 'pg-connection-string'
import type { PostgresConnection } from '../connection.js'

function fromUrl(url: string): PostgresConnection {
  let parsed: ReturnType<typeof parse>
  try {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('it must start with postgres:// or postgresql://')
    new URL(url)
    parsed = parse(url)
  } catch (error) {
    throw new Error(`DATABASE_URL is not a valid PostgreSQL URL: ${(error as Error).message}`)
  }
  if (!parsed.host) throw new Error('DATABASE_URL names no host')
  return {
    host: parsed.host,
    port: Number(parsed.port || 5432),
    user: parsed.user || 'postgres',
    password: parsed.password ?? '',
    database: parsed.database || 'postgres',
  }
}

/** An existing server: `DATABASE_URL`, or the libpq variables `PGHOST`, `PGPORT`, `PGUSER`, … */
export function envProvider(env: NodeJS.ProcessEnv = process.env): Provider<PostgresConnection> {
  return {
    kind: 'env',
    authoritative: true,
    async start() {
      if (env.DATABASE_URL)
        return {
          connection: fromUrl(env.DATABASE_URL),
          detail: 'from DATABASE_URL',
          readiness: existingServerReadiness,
        }
      if (env.PGHOST) {
        return {
          connection: {
            host: env.PGHOST,
            port: Number(env.PGPORT || 5432),
            user: env.PGUSER || 'postgres',
            password: env.PGPASSWORD ?? '',
            database: env.PGDATABASE || 'postgres',
          },
          detail: 'from PGHOST',
          readiness: existingServerReadiness,
        }
      }
      throw new NotApplicable('neither DATABASE_URL nor PGHOST is set')
    },
  }
}
