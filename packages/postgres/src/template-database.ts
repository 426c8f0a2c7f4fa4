import type pg from 'pg'
import { clientConfig, type PostgresFound } from './connection.js'
import { loadPg } from './load-pg.js'
import { applyMigrations, type Migrations, migrationsKey } from './migrations.js'

async function withClient<T>(
  c: PostgresFound,
  database: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new (await loadPg()).Client(clientConfig(c, database))
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * Builds the migrated template once per schema, `testbed_tpl_<hash>`, or reuses it where it exists
 * (a server that outlives runs, a cluster copied with it). An advisory lock keeps concurrent runs
 * from building it twice. `connected`: a client on the maintenance database to use (one connection
 * fewer) rather than a new one.
 */
export async function ensureTemplate(
  c: PostgresFound,
  migrations: Migrations | undefined,
  connected?: pg.Client,
): Promise<string> {
  const template = `testbed_tpl_${await migrationsKey(migrations)}`
  const building = `${template}_building`
  const onAdmin = <T>(fn: (admin: pg.Client) => Promise<T>) =>
    connected ? fn(connected) : withClient(c, c.database, fn)
  return onAdmin(async (admin) => {
    const exists = async () =>
      (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [template]))
        .rowCount === 1
    if (await exists()) return template
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template])
    try {
      if (await exists()) return template
      await admin.query(`DROP DATABASE IF EXISTS ${await id(building)}`)
      await admin.query(`CREATE DATABASE ${await id(building)}`)
      try {
        await withClient(c, building, (client) => applyMigrations(client, migrations))
      } catch (error) {
        await admin.query(`DROP DATABASE IF EXISTS ${await id(building)}`)
        throw error
      }
      await admin.query(`ALTER DATABASE ${await id(building)} RENAME TO ${await id(template)}`)
      await admin.query(`ALTER DATABASE ${await id(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`)
      // Says when it was built: a template copied with a cached cluster keeps the comment of its build.
      await admin.query(
        `COMMENT ON DATABASE ${await id(template)} IS ${(await loadPg()).escapeLiteral(`testbed template, migrated ${new Date().toISOString()}`)}`,
      )
      return template
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template])
    }
  })
}

/** A client or a pool: either can run the admin statements. */
type Admin = Pick<pg.Pool, 'query'>
const id = async (name: string) => (await loadPg()).escapeIdentifier(name)

/** `CREATE DATABASE … TEMPLATE …`: a fresh copy of the migrated schema. */
export async function cloneDatabase(
  admin: Admin,
  template: string,
  name: string,
  strategy?: 'FILE_COPY',
): Promise<void> {
  await admin.query(
    `CREATE DATABASE ${await id(name)} TEMPLATE ${await id(template)}${strategy ? ` STRATEGY ${strategy}` : ''}`,
  )
}

export async function dropDatabase(admin: Admin, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${await id(name)} WITH (FORCE)`)
}

/** Runs `fn` with a client on the maintenance database. */
export function withAdmin<T>(c: PostgresFound, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  return withClient(c, c.database, fn)
}

/** How long the run's end waits for clones still running on the server after their worker stopped. */
const IN_FLIGHT_CLONES_MS = 60_000

/**
 * Drops every database named `<prefix>_…`. A worker stopped in the middle of a clone leaves its
 * `CREATE DATABASE` running on the server, which does not notice the client has gone and commits it
 * after a sweep would have looked. So each round first counts the prefix's clones still active, then
 * sweeps; it ends after a round that counted none: a clone that was active has committed by then
 * (a backend reports itself idle only after its commit), so that round's sweep saw its database.
 */
export async function dropDatabasesWithPrefix(admin: Admin, prefix: string): Promise<void> {
  const deadline = performance.now() + IN_FLIGHT_CLONES_MS
  for (;;) {
    const inFlight = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE state = 'active' AND pid <> pg_backend_pid()
         AND query ILIKE 'CREATE DATABASE %' AND position($1 in query) > 0`,
      [`"${prefix}_`],
    )
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 ESCAPE '!'",
      [`${prefix.replaceAll('_', '!_')}!_%`],
    )
    for (const { datname } of rows) await dropDatabase(admin, datname)
    if (!inFlight.rows[0]?.n || performance.now() > deadline) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** `server_version_num`, e.g. 150018. */
export async function serverVersion(admin: Admin): Promise<number> {
  return Number((await admin.query('SHOW server_version_num')).rows[0].server_version_num)
}
