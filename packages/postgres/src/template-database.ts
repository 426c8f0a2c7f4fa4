import pg from 'pg'
import type { PostgresConnection } from './connection.js'
import { applyMigrations, type Migrations, migrationsKey } from './migrations.js'

async function withClient<T>(
  c: PostgresConnection,
  database: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ ...c, database })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * Builds the migrated template once per schema, `testbed_tpl_<hash>`, or reuses it where it exists
 * (a server that outlives runs). An advisory lock keeps concurrent runs from building it twice.
 */
export async function ensureTemplate(
  c: PostgresConnection,
  migrations: Migrations | undefined,
): Promise<string> {
  const template = `testbed_tpl_${await migrationsKey(migrations)}`
  const building = `${template}_building`
  return withClient(c, c.database, async (admin) => {
    const exists = async () =>
      (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [template]))
        .rowCount === 1
    if (await exists()) return template
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template])
    try {
      if (await exists()) return template
      const id = admin.escapeIdentifier.bind(admin)
      await admin.query(`DROP DATABASE IF EXISTS ${id(building)}`)
      await admin.query(`CREATE DATABASE ${id(building)}`)
      try {
        await withClient(c, building, (client) => applyMigrations(client, migrations))
      } catch (error) {
        await admin.query(`DROP DATABASE IF EXISTS ${id(building)}`)
        throw error
      }
      await admin.query(`ALTER DATABASE ${id(building)} RENAME TO ${id(template)}`)
      await admin.query(`ALTER DATABASE ${id(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`)
      return template
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template])
    }
  })
}

/** `CREATE DATABASE … TEMPLATE …`: a fresh copy of the migrated schema. */
export async function cloneDatabase(admin: pg.Client, template: string, name: string): Promise<void> {
  await admin.query(
    `CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(template)}`,
  )
}

export async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`)
}
