import pg from 'pg'
import { connectionEnv, connectionUrl, type PostgresConnection } from './connection.js'
import { cloneDatabase, dropDatabase } from './template-database.js'

/** A database of one's own, cloned from the migrated template. */
export interface TestDatabase {
  name: string
  /** `postgres://…/<name>`; also what `DATABASE_URL` names while the test runs. */
  url: string
  /** `DATABASE_URL`, `PGHOST`, … naming this database, for a child process under test. */
  env: Record<string, string>
  /** A connected client (closed after the test). */
  client: pg.Client
  query: pg.Client['query']
}

// One admin connection per server per worker, whatever module graph asks (files share a worker).
const ADMINS = Symbol.for('testbed.postgres.admins')
type Holder = { [ADMINS]?: Map<string, Promise<pg.Client>> }

function adminFor(c: PostgresConnection): Promise<pg.Client> {
  const holder = globalThis as Holder
  holder[ADMINS] ??= new Map()
  const admins = holder[ADMINS]
  const key = `${c.host}:${c.port}`
  let admin = admins.get(key)
  if (!admin) {
    const client = new pg.Client(c)
    client.on('error', () => admins.delete(key))
    admin = client.connect().then(() => client)
    admin.catch(() => admins.delete(key))
    admins.set(key, admin)
  }
  return admin
}

let counter = 0

function uniqueName(): string {
  const worker = process.env.VITEST_POOL_ID ?? '0'
  return `testbed_${process.pid.toString(36)}_${worker}_${(++counter).toString(36)}_${Math.random().toString(36).slice(2, 6)}`
}

export async function createTestDatabase(c: PostgresConnection): Promise<TestDatabase> {
  if (!c.template) throw new Error('the postgres service was not provisioned with a template database')
  const name = uniqueName()
  const admin = await adminFor(c)
  await cloneDatabase(admin, c.template, name)
  const client = new pg.Client({ ...c, database: name })
  try {
    await client.connect()
  } catch (error) {
    await dropDatabase(admin, name)
    throw error
  }
  return {
    name,
    url: connectionUrl(c, name),
    env: connectionEnv(c, name),
    client,
    query: client.query.bind(client) as pg.Client['query'],
  }
}

export async function dropTestDatabase(c: PostgresConnection, db: TestDatabase): Promise<void> {
  await db.client.end().catch(() => {})
  await dropDatabase(await adminFor(c), db.name)
}
