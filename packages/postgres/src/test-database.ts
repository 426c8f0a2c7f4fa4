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

/** How many databases each worker clones ahead of need: `TESTBED_POSTGRES_POOL` (0 turns it off). */
const poolSize = () => Number(process.env.TESTBED_POSTGRES_POOL ?? 2)

/**
 * Clones databases ahead of need, with a client already connected, so a test waits neither for
 * CREATE DATABASE nor for authentication (IntegreSQL's idea, inside the worker), and drops them in
 * the background. Whatever a worker leaves behind carries the run's prefix and is dropped by the main
 * process at the run's end.
 */
class DatabasePool {
  // Two admin connections: one clone can run while another clone or a drop does.
  private readonly admin: pg.Pool
  private readonly ahead: Array<Promise<TestDatabase>> = []
  private counter = 0

  constructor(private readonly c: PostgresConnection) {
    this.admin = new pg.Pool({ ...c, max: 2 })
    this.admin.on('error', () => {})
  }

  take(): Promise<TestDatabase> {
    const next = this.ahead.shift() ?? this.create()
    while (this.ahead.length < poolSize()) {
      const pending = this.create()
      pending.catch(() => {}) // reported to the test that takes it
      this.ahead.push(pending)
    }
    return next
  }

  private async create(): Promise<TestDatabase> {
    const { c } = this
    if (!c.template || !c.prefix)
      throw new Error('the postgres service was not provisioned with a template database')
    const name = `${c.prefix}_w${process.env.VITEST_POOL_ID ?? '0'}_${process.pid.toString(36)}_${(++this.counter).toString(36)}`
    await cloneDatabase(this.admin, c.template, name, c.cloneStrategy)
    const client = new pg.Client({ ...c, database: name })
    client.on('error', () => {})
    try {
      await client.connect()
    } catch (error) {
      await dropDatabase(this.admin, name)
      throw error
    }
    const query = client.query.bind(client) as pg.Client['query']
    return { name, url: connectionUrl(c, name), env: connectionEnv(c, name), client, query }
  }

  /** Closes the test's client and drops its database without making the test wait. */
  async drop(db: TestDatabase): Promise<void> {
    await db.client.end().catch(() => {})
    dropDatabase(this.admin, db.name).catch(() => {}) // else the run's end drops it
  }

  /** Renames a failed test's database out of the run's prefix, so the run's cleanup spares it. */
  async keep(db: TestDatabase): Promise<string> {
    await db.client.end().catch(() => {})
    const kept = `testbed_kept_${db.name}`.slice(0, 63)
    await this.admin.query(
      `ALTER DATABASE ${pg.escapeIdentifier(db.name)} RENAME TO ${pg.escapeIdentifier(kept)}`,
    )
    return kept
  }
}

// One pool per server per worker, whatever module graph asks (files share a worker).
const POOLS = Symbol.for('testbed.postgres.pools')
type Holder = { [POOLS]?: Map<string, DatabasePool> }

export function databasePool(c: PostgresConnection): DatabasePool {
  const holder = globalThis as Holder
  holder[POOLS] ??= new Map()
  const key = `${c.host}:${c.port}/${c.template}`
  let pool = holder[POOLS].get(key)
  if (!pool) {
    pool = new DatabasePool(c)
    holder[POOLS].set(key, pool)
  }
  return pool
}
