import { processSingleton } from '@testbed/core'
import pg from 'pg'
import { clientConfig, type PostgresConnection, postgresEnv, postgresUrl } from './connection.js'
import { cloneDatabase, dropDatabase } from './template-database.js'

/** A database of one test's own, cloned from the migrated template. */
export interface TestDatabase {
  name: string
  /** `postgres://…/<name>`; also what `DATABASE_URL` names while the `database` fixture's test runs. */
  url: string
  /** `DATABASE_URL`, `PGHOST`, … naming this database, for a child process under test. */
  env: Record<string, string>
  /** A connected client (closed by `release` or `keep`). */
  client: pg.Client
  query: pg.Client['query']
  /** Closes the client and drops the database without waiting for the drop; calling it again does nothing. */
  release(): Promise<void>
  /**
   * Instead of `release`: closes the client and renames the database out of the run's prefix
   * (`testbed_kept_<name>`), so the run's end spares it for inspection. Resolves to the new name.
   */
  keep(): Promise<string>
}

export interface TestDatabaseOptions {
  /**
   * Put into the database's name (`<prefix>_<label>_w…`), to tell two databases of one test apart:
   * lower-case letters, digits and `_`, at most 20.
   */
  label?: string
}

/** How many databases each worker clones ahead of need: `TESTBED_POSTGRES_POOL` (0 turns it off). */
const poolSize = () => Number(process.env.TESTBED_POSTGRES_POOL ?? 2)

/** How a pool clones and drops: what bench/database-per-test.ts compares (the defaults won there). */
export interface DatabasePoolOptions {
  label?: string | undefined
  /** Databases cloned ahead of need; default `TESTBED_POSTGRES_POOL`, read on every take. */
  depth?: () => number
  /**
   * Drop released databases on an admin connection of their own (default), so a clone never queues
   * behind a drop; `false`: on the clones' two.
   */
  dropApart?: boolean
}

/** A database cloned ahead of need, with its client. */
interface Cloned {
  name: string
  client: pg.Client
  /** Whether the client has lost its connection (an error, or the server closed it). */
  broken: () => boolean
}

/**
 * Clones databases ahead of need, with a client already connected, so a test waits neither for
 * CREATE DATABASE nor for authentication (IntegreSQL's idea, inside the worker), and drops them in
 * the background. Whatever a worker leaves behind carries the run's prefix and is dropped by the main
 * process at the run's end.
 */
export class DatabasePool {
  // Two admin connections for clones, so one can run while another does, and one for drops.
  private readonly admin: pg.Pool
  private readonly dropper: pg.Pool
  private readonly ahead: Array<Promise<Cloned>> = []
  private readonly namePrefix: string
  private readonly depth: () => number
  private counter = 0

  constructor(
    private readonly c: PostgresConnection,
    options: DatabasePoolOptions = {},
  ) {
    const { label } = options
    this.depth = options.depth ?? poolSize
    this.admin = new pg.Pool({ ...clientConfig(c), max: 2 })
    this.admin.on('error', () => {})
    this.dropper = options.dropApart === false ? this.admin : new pg.Pool({ ...clientConfig(c), max: 1 })
    this.dropper.on('error', () => {})
    // The worker's nth pool (a label or another server makes another): no two name a database alike.
    const nth = poolsMade().count++
    this.namePrefix = `${c.prefix}_${label ? `${label}_` : ''}w${process.env.VITEST_POOL_ID ?? '0'}_${process.pid.toString(36)}${nth ? `_${nth}` : ''}`
  }

  take(): Promise<TestDatabase> {
    // A clone made ahead may have failed for a reason gone since (the server was restarting): the
    // test gets a new one then, and the error only if that fails too.
    const next = this.ahead.shift()?.catch(() => this.create()) ?? this.create()
    while (this.ahead.length < this.depth()) {
      const pending = this.create()
      pending.catch(() => {}) // taken care of by the test that takes it
      this.ahead.push(pending)
    }
    return next.then((cloned) => this.handOut(cloned))
  }

  /** Closes the admin connections (what is cloned ahead is left to the run's end). For benches. */
  async end(): Promise<void> {
    await Promise.allSettled(this.ahead)
    await this.admin.end()
    if (this.dropper !== this.admin) await this.dropper.end()
  }

  private async create(): Promise<Cloned> {
    const name = `${this.namePrefix}_${(++this.counter).toString(36)}`
    await cloneDatabase(this.admin, this.c.template, name, this.c.cloneStrategy)
    try {
      return { name, ...(await this.connect(name)) }
    } catch (error) {
      // Best effort, and never instead of the error: the run's end drops what carries its prefix.
      await dropDatabase(this.admin, name).catch(() => {})
      throw error
    }
  }

  private async connect(name: string): Promise<Omit<Cloned, 'name'>> {
    const client = new pg.Client(clientConfig(this.c, name))
    let broken = false
    client.on('error', () => {
      broken = true
    })
    client.on('end', () => {
      broken = true
    })
    await client.connect()
    return { client, broken: () => broken }
  }

  /**
   * The database as a test gets it. A client cloned ahead may have lost its connection since (the
   * server was restarted, `faults.restart`): the database is still there, so it gets a new one.
   */
  private async handOut(cloned: Cloned): Promise<TestDatabase> {
    const { c } = this
    const { name } = cloned
    let { client } = cloned
    if (cloned.broken()) {
      await client.end().catch(() => {})
      ;({ client } = await this.connect(name))
    }
    const query = client.query.bind(client) as pg.Client['query']
    // Whichever of release and keep comes first decides; release after keep does nothing.
    let ended: Promise<string | undefined> | undefined
    return {
      name,
      url: postgresUrl(c, name),
      env: postgresEnv(c, name),
      client,
      query,
      release: async () => {
        // The test waits for none of it: the client closes and the database is dropped behind it.
        if (!ended) {
          ended = Promise.resolve(undefined)
          this.drop(name, client)
        }
        await ended
      },
      keep: async () => {
        ended ??= this.keep(name, client)
        const kept = await ended
        if (kept === undefined) throw new Error(`database ${name} was released already`)
        return kept
      },
    }
  }

  private drop(name: string, client: pg.Client): void {
    client
      .end()
      .catch(() => {})
      .then(() => dropDatabase(this.dropper, name))
      .catch(() => {}) // else the run's end drops it
  }

  private async keep(name: string, client: pg.Client): Promise<string> {
    await client.end().catch(() => {})
    const kept = `testbed_kept_${name}`.slice(0, 63)
    await this.admin.query(
      `ALTER DATABASE ${pg.escapeIdentifier(name)} RENAME TO ${pg.escapeIdentifier(kept)}`,
    )
    return kept
  }
}

const poolsMade = () => processSingleton('postgres.poolsMade', () => ({ count: 0 }))

// One pool per server, template and label per worker, whatever module graph asks (files share a worker).
const pools = () => processSingleton('postgres.pools', () => new Map<string, DatabasePool>())

/**
 * A fresh database cloned from the migrated template, with a connected client: what the `database`
 * fixture gives. It comes from the worker's pool (`TESTBED_POSTGRES_POOL` databases cloned ahead),
 * so it is usually ready at once; `release()` drops it.
 */
export async function testDatabase(
  connection: PostgresConnection,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const { label } = options
  if (label !== undefined && !/^[a-z0-9_]{1,20}$/.test(label))
    throw new Error(
      `a test database's label must be 1 to 20 lower-case letters, digits or _, not ${JSON.stringify(label)}`,
    )
  const key = `${connection.host}:${connection.port}/${connection.template}/${label ?? ''}`
  let pool = pools().get(key)
  if (!pool) {
    pool = new DatabasePool(connection, { label })
    pools().set(key, pool)
  }
  return pool.take()
}
