import {
  existingServerReadiness,
  NotApplicable,
  type Provider,
  parsePort,
  parseServiceUrl,
} from '@testbed/core/config'
import { parse } from 'pg-connection-string'
import type { PostgresFound } from '../connection.js'

function fromUrl(url: string): PostgresFound {
  // A socket directory may stand in for the host: postgres:///app?host=/run/postgresql
  const hostOptional = /[?&]host=/.test(url)
  const checked = parseServiceUrl(url, {
    variable: 'DATABASE_URL',
    kind: 'PostgreSQL',
    schemes: ['postgres', 'postgresql'],
    hostOptional,
  })
  const parsed = parse(url.trim())
  return {
    host: parsed.host || checked.host,
    port: checked.port ?? Number(parsed.port || 5432),
    user: parsed.user || 'postgres',
    password: parsed.password ?? '',
    database: parsed.database || 'postgres',
  }
}

/** An existing server: `DATABASE_URL`, or the libpq variables `PGHOST`, `PGPORT`, `PGUSER`, … */
export function envProvider(env: NodeJS.ProcessEnv = process.env): Provider<PostgresFound> {
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
            port: env.PGPORT ? parsePort('PGPORT', env.PGPORT) : 5432,
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
