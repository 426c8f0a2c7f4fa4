import { availableParallelism } from 'node:os'
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

/** `TESTBED_POSTGRES_POOL`: a fixed number of databases each worker clones ahead (0 turns it off). */
const fixedDepth = (): number | undefined => {
  const value = process.env.TESTBED_POSTGRES_POOL
  if (value === undefined || value === '') return undefined
  if (!/^\d{1,3}$/.test(value.trim()))
    throw new Error(
      `TESTBED_POSTGRES_POOL must be a whole number of databases cloned ahead per worker (0 turns the pool off; unset adapts it), not ${JSON.stringify(value)}`,
    )
  return Number(value)
}

/** The workers Vitest runs at once (its worker state), else this machine's parallelism. */
function workerCount(): number {
  const state = (globalThis as { __vitest_worker__?: { config?: { maxWorkers?: number } } }).__vitest_worker__
  return Math.max(1, state?.config?.maxWorkers ?? availableParallelism())
}

const clamp = (n: number, low: number, high: number) => Math.min(high, Math.max(low, n))

/**
 * A worker's share of the server's connections: half of `max_connections` (the other half is for
 * code under test, the main process, other runs), split among the workers. Three of a share are
 * fixed (the drop connection, the test's client, one closing); of the rest, up to four clone at
 * once (concurrent `FILE_COPY` clones share their checkpoints) and up to eight wait ahead, each
 * with its client. A small server gets what the pool always had: two and two.
 */
export function poolBudget(
  maxConnections: number,
  workers: number,
): { concurrency: number; maxDepth: number } {
  const spare = Math.floor(maxConnections / 2 / workers) - 3
  const concurrency = clamp(Math.floor(spare / 3), 2, 4)
  return { concurrency, maxDepth: clamp(spare - concurrency, 2, 8) }
}

/** How a pool clones and drops: what bench/database-per-test.ts compares (the defaults won there). */
export interface DatabasePoolOptions {
  label?: string | undefined
  /**
   * Databases cloned ahead of need, read on every take; default `TESTBED_POSTGRES_POOL` when set,
   * else adaptive: two, one more each time a test had to wait for its clone, up to `maxDepth`.
   */
  depth?: () => number
  /** The adaptive depth's limit; default from the server's `max_connections` (`poolBudget`). */
  maxDepth?: number
  /**
   * Drop released databases on an admin connection of their own (default), so a clone never queues
   * behind a drop; `false`: on the clones' two.
   */
  dropApart?: boolean
  /** Clones in flight at once: the admin connections that clone; default from `poolBudget`. */
  concurrency?: number
  /**
   * On PostgreSQL ≥ 18, a `FILE_COPY` clone copies its files with `file_copy_method = clone`
   * (`copy_file_range`, the kernel copies) rather than through PostgreSQL's buffers (default true).
   */
  kernelCopy?: boolean
  /** How many databases ahead hold a connected client (default: all of them). */
  connectedAhead?: number
}

/** A database cloned ahead of need, with its client once it is among those that connect ahead. */
interface Cloned {
  name: string
  client?: pg.Client
  /** Whether the client has lost its connection (an error, or the server closed it). */
  broken: () => boolean
}

/** One of the databases ahead: its clone (and connect), and whether that has finished. */
interface Ahead {
  cloned: Promise<Cloned>
  ready: boolean
  connects: boolean
}

/**
 * How many of the databases ahead hold a connected client: all of them. Connecting only the next
 * two (a deeper one connects as it moves up) saves connections, and the wait of a `DROP DATABASE …
 * WITH (FORCE)` for a client to go, but the test then waits for the connect: bench/database-per-test.ts
 * measured 0.76× the mean with every one connected. `poolBudget` counts a connection for each.
 */
const connectedAhead = Number.POSITIVE_INFINITY

/**
 * Clones databases ahead of need, with a client already connected, so a test waits neither for
 * CREATE DATABASE nor for authentication (IntegreSQL's idea, inside the worker), and drops them in
 * the background. Whatever a worker leaves behind carries the run's prefix and is dropped by the main
 * process at the run's end.
 */
export class DatabasePool {
  // Admin connections for clones (`concurrency`), so several run at once and share their
  // checkpoints, and one for drops. The clones' pool is made once the server's version and
  // max_connections are known (one query on the drop connection).
  private clones: Promise<pg.Pool> | undefined
  private dropper: pg.Pool
  private readonly options: DatabasePoolOptions
  private readonly ahead: Ahead[] = []
  private readonly namePrefix: string
  private readonly fixedDepth: (() => number) | undefined
  /** The adaptive depth, and its limit once the server's `max_connections` is known. */
  private adaptiveDepth = 2
  private maxDepth = 2
  private counter = 0

  constructor(
    private readonly c: PostgresConnection,
    options: DatabasePoolOptions = {},
  ) {
    const { label } = options
    const fixed = fixedDepth()
    this.fixedDepth = options.depth ?? (fixed === undefined ? undefined : () => fixed)
    this.dropper = new pg.Pool({ ...clientConfig(c), max: 1 })
    this.dropper.on('error', () => {})
    this.options = options
    // The worker's nth pool (a label or another server makes another): no two name a database alike.
    const nth = poolsMade().count++
    this.namePrefix = `${c.prefix}_${label ? `${label}_` : ''}w${process.env.VITEST_POOL_ID ?? '0'}_${process.pid.toString(36)}${nth ? `_${nth}` : ''}`
  }

  take(): Promise<TestDatabase> {
    // A clone made ahead may have failed for a reason gone since (the server was restarting): the
    // test gets a new one then, and the error only if that fails too.
    const head = this.ahead.shift()
    // A test that waits says the pool is too shallow for the rate tests take databases.
    if (!this.fixedDepth && !head?.ready) this.adaptiveDepth = Math.min(this.maxDepth, this.adaptiveDepth + 1)
    const next = head?.cloned.catch(() => this.create()) ?? this.create()
    const depth = this.fixedDepth?.() ?? this.adaptiveDepth
    while (this.ahead.length < depth) {
      const entry: Ahead = { cloned: this.create(false), ready: false, connects: false }
      this.settle(entry)
      this.ahead.push(entry)
    }
    // The next ones to be taken get their client now.
    for (const entry of this.ahead.slice(0, this.options.connectedAhead ?? connectedAhead)) {
      if (entry.connects) continue
      entry.connects = true
      entry.ready = false
      entry.cloned = entry.cloned.then((cloned) => this.withClient(cloned))
      this.settle(entry)
    }
    return next.then((cloned) => this.handOut(cloned))
  }

  /** Drops what was cloned ahead and closes every connection. For benches. */
  async end(): Promise<void> {
    const ahead = await Promise.allSettled(this.ahead.splice(0).map((entry) => entry.cloned))
    for (const cloned of ahead) {
      if (cloned.status !== 'fulfilled') continue
      await cloned.value.client?.end().catch(() => {})
      await dropDatabase(this.dropper, cloned.value.name).catch(() => {})
    }
    const admin = await this.clones?.catch(() => undefined)
    await admin?.end()
    if (this.dropper !== admin) await this.dropper.end()
  }

  /**
   * The connections that clone. On PostgreSQL ≥ 18 a `FILE_COPY` clone copies its files with
   * `file_copy_method = clone` (`copy_file_range`: the kernel copies, not PostgreSQL's read and
   * write loop), a setting of the session; the version is asked once, on the drop connection.
   */
  private admin(): Promise<pg.Pool> {
    this.clones ??= this.clonePool().catch((error) => {
      this.clones = undefined // asked again by the next clone (the server may be back)
      throw error
    })
    return this.clones
  }

  private async clonePool(): Promise<pg.Pool> {
    const { options } = this
    const { rows } = await this.dropper.query(
      "SELECT current_setting('server_version_num')::int AS version, current_setting('max_connections')::int AS max",
    )
    const budget = poolBudget(Number(rows[0]?.max ?? 0), workerCount())
    this.maxDepth = options.maxDepth ?? budget.maxDepth
    const config = { ...clientConfig(this.c), max: options.concurrency ?? budget.concurrency }
    const kernelCopy =
      this.c.cloneStrategy === 'FILE_COPY' &&
      options.kernelCopy !== false &&
      Number(rows[0]?.version) >= 180000
    const pool = new pg.Pool(kernelCopy ? { ...config, options: '-c file_copy_method=clone' } : config)
    pool.on('error', () => {})
    if (options.dropApart === false) {
      void this.dropper.end()
      this.dropper = pool
    }
    return pool
  }

  private settle(entry: Ahead): void {
    const { cloned } = entry
    cloned.then(
      () => {
        if (entry.cloned === cloned) entry.ready = true
      },
      () => {}, // taken care of by the test that takes it
    )
  }

  /** A clone, connected unless `connect` is false (a database deep in the pool). */
  private async create(connect = true): Promise<Cloned> {
    const name = `${this.namePrefix}_${(++this.counter).toString(36)}`
    await cloneDatabase(await this.admin(), this.c.template, name, this.c.cloneStrategy)
    const cloned = { name, broken: () => false }
    return connect ? this.withClient(cloned) : cloned
  }

  private async withClient(cloned: Cloned): Promise<Cloned> {
    if (cloned.client) return cloned
    try {
      return { name: cloned.name, ...(await this.connect(cloned.name)) }
    } catch (error) {
      // Best effort, and never instead of the error: the run's end drops what carries its prefix.
      await dropDatabase(await this.admin(), cloned.name).catch(() => {})
      throw error
    }
  }

  private async connect(name: string): Promise<{ client: pg.Client; broken: () => boolean }> {
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
    if (!client || cloned.broken()) {
      await client?.end().catch(() => {})
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
    await (await this.admin()).query(
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
 * fixture gives. It comes from the worker's pool (databases cloned ahead, as deep as the rate tests
 * take them needs, or `TESTBED_POSTGRES_POOL`), so it is usually ready at once; `release()` drops it.
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
