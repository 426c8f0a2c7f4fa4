/** Where a PostgreSQL server is. Plain data: it travels from the main process to workers. */
export interface PostgresConnection {
  host: string
  port: number
  user: string
  password: string
  /** The maintenance database Testbed connects to for CREATE/DROP DATABASE. */
  database: string
  /** The migrated template every test database is cloned from (set by provisioning). */
  template?: string
  /** A migrated database for the whole run, which the exported DATABASE_URL names. */
  shared?: string
  /** Every database of this run is named `<prefix>_…`; the run drops what is left of them at its end. */
  prefix?: string
  /** Started by Testbed for this run (durability off): databases are cloned by file copy, the fastest way there. */
  throwaway?: boolean
  /** Set by provisioning: `FILE_COPY` on a throwaway PostgreSQL ≥ 15, else the server's default. */
  cloneStrategy?: 'FILE_COPY'
}

export function connectionUrl(c: PostgresConnection, database = c.database): string {
  const auth = `${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}`
  return `postgres://${auth}@${c.host}:${c.port}/${encodeURIComponent(database)}`
}

export function redactedUrl(c: PostgresConnection, database = c.database): string {
  return `postgres://${encodeURIComponent(c.user)}:***@${c.host}:${c.port}/${encodeURIComponent(database)}`
}

/** What code under test reads: the seed's POSTGRES_HOST/PORT too. */
export function connectionEnv(
  c: PostgresConnection,
  database = c.shared ?? c.database,
): Record<string, string> {
  return {
    DATABASE_URL: connectionUrl(c, database),
    PGHOST: c.host,
    PGPORT: String(c.port),
    PGUSER: c.user,
    PGPASSWORD: c.password,
    PGDATABASE: database,
    POSTGRES_HOST: c.host,
    POSTGRES_PORT: String(c.port),
  }
}
