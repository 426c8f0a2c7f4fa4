import {
  diagnoseDiscovery,
  existingServerReadiness,
  NotApplicable,
  type Provider,
  parsePort,
  parseServiceUrl,
  setVariables,
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

const VARIABLES = ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE']

/** The server the variables name, and which variable named it; NotApplicable when none is set. */
function fromEnv(env: NodeJS.ProcessEnv): { connection: PostgresFound; detail: string } {
  if (env.DATABASE_URL) return { connection: fromUrl(env.DATABASE_URL), detail: 'from DATABASE_URL' }
  if (env.PGHOST)
    return {
      connection: {
        host: env.PGHOST,
        port: env.PGPORT ? parsePort('PGPORT', env.PGPORT) : 5432,
        user: env.PGUSER || 'postgres',
        password: env.PGPASSWORD ?? '',
        database: env.PGDATABASE || 'postgres',
      },
      detail: 'from PGHOST',
    }
  throw new NotApplicable('neither DATABASE_URL nor PGHOST is set')
}

/** An existing server: `DATABASE_URL`, or the libpq variables `PGHOST`, `PGPORT`, `PGUSER`, … */
export function envProvider(env: NodeJS.ProcessEnv = process.env): Provider<PostgresFound> {
  return {
    kind: 'env',
    authoritative: true,
    async start() {
      return { ...fromEnv(env), readiness: existingServerReadiness }
    },
    async diagnose() {
      const found = setVariables(env, VARIABLES)
      return diagnoseDiscovery(
        () => fromEnv(env),
        ({ detail }) => ({ applicable: true, reason: detail, found }),
        found,
      )
    },
  }
}
