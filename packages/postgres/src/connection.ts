/** Where a PostgreSQL server is, as a provider found it. Plain data: it travels from the main process to workers. */
export interface PostgresFound {
  host: string
  port: number
  user: string
  password: string
  /** The maintenance database Testbed connects to for CREATE/DROP DATABASE. */
  database: string
  /** Started by Testbed for this run (durability off): databases are cloned by file copy, the fastest way there. */
  throwaway?: boolean
  /**
   * On a server Testbed started: the unix-socket directory (private to this user) where the server
   * trusts local connections. Testbed's own connections (admin, test clients) go there and skip
   * SCRAM's key derivation; code under test gets TCP with the password, as from any server.
   */
  socket?: string
}

/** The server as tests get it: provisioned with the migrated template and this run's databases. */
export interface PostgresConnection extends PostgresFound {
  /** The migrated template every test database is cloned from. */
  template: string
  /** A migrated database for the whole run, which the exported DATABASE_URL names. */
  shared: string
  /** Every database of this run is named `<prefix>_…`; the run drops what is left of them at its end. */
  prefix: string
  /**
   * The migrations folder (absolute), when the migrations are one: a worker whose files no longer
   * match `template` (changed while `vitest` watches) builds the template of what they are now.
   */
  migrationsDir?: string
  /** `FILE_COPY` on a throwaway PostgreSQL ≥ 15; absent: the server's default. */
  cloneStrategy?: 'FILE_COPY'
}

/**
 * How Testbed itself connects to `database` (a `pg` client config): through the trusted socket when
 * the server has one, else as the server was found.
 */
export function clientConfig(c: PostgresFound, database = c.database) {
  const { host, port, user, password } = c
  return c.socket ? { host: c.socket, port, user, database } : { host, port, user, password, database }
}

/** `postgres://<user>:<password>@<host>:<port>/<database>`. */
export function postgresUrl(c: PostgresFound, database = c.database): string {
  const auth = `${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}`
  return `postgres://${auth}@${c.host}:${c.port}/${encodeURIComponent(database)}`
}

/** The URL with the password replaced by `***`: for the service table and error messages. */
export function redactedUrl(c: PostgresFound, database = c.database): string {
  return `postgres://${encodeURIComponent(c.user)}:***@${c.host}:${c.port}/${encodeURIComponent(database)}`
}

/**
 * What code under test reads, naming `database` (the run's shared one by default): `DATABASE_URL`,
 * libpq's `PG*` variables, and `POSTGRES_HOST`/`POSTGRES_PORT` for code that takes host and port apart.
 */
export function postgresEnv(c: PostgresConnection, database = c.shared): Record<string, string> {
  return {
    DATABASE_URL: postgresUrl(c, database),
    PGHOST: c.host,
    PGPORT: String(c.port),
    PGUSER: c.user,
    PGPASSWORD: c.password,
    PGDATABASE: database,
    POSTGRES_HOST: c.host,
    POSTGRES_PORT: String(c.port),
  }
}
