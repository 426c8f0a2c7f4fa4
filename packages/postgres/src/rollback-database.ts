import { processSingleton } from '@testbed/core'
import pg from 'pg'
import { clientConfig, type PostgresConnection, postgresEnv, postgresUrl } from './connection.js'
import { leadingWords, splitStatements } from './sql-statements.js'
import { cloneDatabase, withAdmin } from './template-database.js'

/** The test's view of the worker's rollback database: everything it does is rolled back at its end. */
export interface RollbackDatabase {
  name: string
  /** `postgres://…/<name>`: what `DATABASE_URL` names during the test (for the check, see the README). */
  url: string
  env: Record<string, string>
  /** A connected client whose BEGIN/COMMIT/ROLLBACK become savepoints of the test's transaction. */
  client: pg.Client
  query: pg.Client['query']
}

/** Why rollback mode cannot run something, and what to use instead. */
export class RollbackModeError extends Error {
  override name = 'RollbackModeError'
}

const useDatabase = 'use the `database` fixture (a database of the test’s own) for this test'
const inTransaction =
  'the rollbackDatabase fixture runs the whole test inside one transaction that is rolled back at its end'

/** Statements a transaction that never commits cannot honour: refused before they reach the server. */
function refusal(words: string[], text: string): string | undefined {
  const [first, second] = words
  if (first === 'LISTEN' || first === 'UNLISTEN')
    return `${first} in rollback mode would never deliver a notification: ${inTransaction}, and PostgreSQL delivers notifications only on commit; ${useDatabase}`
  if (first === 'NOTIFY' || /\bpg_notify\s*\(/i.test(text))
    return `NOTIFY in rollback mode is never delivered: ${inTransaction}, and PostgreSQL delivers notifications only on commit; ${useDatabase}`
  if (first === 'PREPARE' && second === 'TRANSACTION')
    return `PREPARE TRANSACTION in rollback mode would prepare the test's own transaction: ${inTransaction}; ${useDatabase}`
  if (
    (first === 'COMMIT' || first === 'END' || first === 'ROLLBACK' || first === 'ABORT') &&
    words.includes('CHAIN')
  )
    return `${first} AND CHAIN cannot be emulated with a savepoint: ${inTransaction}; ${useDatabase}`
  return undefined
}

type Control = 'begin' | 'commit' | 'rollback'

/** BEGIN, COMMIT, ROLLBACK and their synonyms; not ROLLBACK TO, COMMIT PREPARED and the like. */
function controlOf(statement: string): Control | undefined {
  const bare = statement
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .split(/\s+/)
    .join(' ')
    .toUpperCase()
  if (/^(BEGIN|START TRANSACTION)\b/.test(bare)) {
    if (!/^(BEGIN( WORK| TRANSACTION)?|START TRANSACTION)$/.test(bare))
      throw new RollbackModeError(
        `${statement.trim()}: a transaction's modes (isolation level, READ ONLY, DEFERRABLE) cannot be given to the savepoint that stands in for it: ${inTransaction}; ${useDatabase}`,
      )
    return 'begin'
  }
  if (/^(COMMIT|END)( WORK| TRANSACTION)?$/.test(bare)) return 'commit'
  if (/^(ROLLBACK|ABORT)( WORK| TRANSACTION)?$/.test(bare)) return 'rollback'
  return undefined
}

/** SAVEPOINT, RELEASE, ROLLBACK TO: PostgreSQL refuses them outside a transaction block. */
function isSavepointCommand(statement: string): boolean {
  const [first, second] = leadingWords(statement, 2)
  return first === 'SAVEPOINT' || first === 'RELEASE' || (first === 'ROLLBACK' && second === 'TO')
}

const ACTIVE_SQL_TRANSACTION = '25001'
const IN_FAILED_TRANSACTION = '25P02'

/** A server error that a transaction caused, said plainly: why, and what to use instead. */
function explained(error: unknown): unknown {
  const e = error as pg.DatabaseError
  if (e?.code === ACTIVE_SQL_TRANSACTION) {
    const wrapped = new RollbackModeError(`${e.message}: ${inTransaction}; ${useDatabase}`, { cause: e })
    return Object.assign(wrapped, { code: e.code })
  }
  return error
}

type QueryArgs = [
  text: string | pg.QueryConfig,
  values?: unknown[] | ((...a: unknown[]) => void),
  callback?: (...a: unknown[]) => void,
]

/**
 * One connection per worker, on a database of the worker's own: each test runs in a transaction
 * rolled back at its end, and the code under test's own transactions become savepoints of it. A
 * statement that fails outside the code's own BEGIN is undone to a savepoint taken before it, as
 * autocommit would leave the transaction usable; the test's earlier work stays.
 */
class RollbackSession {
  private depth = 0
  /** Whether `testbed_stmt` exists at the top level (taken before each top-level statement). */
  private statementSavepoint = false
  private inTest = false

  /**
   * @param sessions the database's count of client sessions ever established (PostgreSQL ≥ 15,
   *   whose statistics a session flushes as it exits): one that grew during a test had a connection
   *   of the code under test, closed before the test's end. Undefined on older servers.
   */
  constructor(
    readonly name: string,
    readonly client: pg.Client,
    private readonly broken: () => boolean,
    private sessions: number | undefined,
  ) {}

  isBroken(): boolean {
    return this.broken()
  }

  async begin(): Promise<void> {
    this.depth = 0
    this.statementSavepoint = false
    await this.client.query('BEGIN')
    this.inTest = true
  }

  /**
   * Rolls the test's transaction back and says who else was on this database: code under test
   * that connected on its own (DATABASE_URL), which could neither see the test's rows nor have its
   * own rolled back: the client backends still there, and how many came and went during the test.
   */
  async end(): Promise<{ others: Array<{ pid: number; application_name: string }>; closed: number }> {
    this.inTest = false
    // One lookup in the server's backend array and one in its statistics, in the ROLLBACK's round
    // trip; pg_stat_activity (a view with joins) is read only when someone else is there, to name
    // them. Session-level advisory locks outlive a ROLLBACK: released, as a new connection has none.
    const results = (await this.client.query(
      `ROLLBACK; SELECT pg_advisory_unlock_all(), pg_stat_get_db_numbackends(oid) AS n${this.sessions === undefined ? '' : ', pg_stat_get_db_sessions(oid) AS s'} FROM pg_database WHERE datname = current_database()`,
    )) as unknown as pg.QueryResult[]
    const row = results[1]?.rows[0]
    let closed = 0
    if (this.sessions !== undefined && row?.s !== undefined) {
      closed = Number(row.s) - this.sessions
      this.sessions = Number(row.s)
    }
    if (Number(row?.n ?? 1) <= 1 && closed <= 0) return { others: [], closed: 0 }
    // Autovacuum visits the database too (rolled-back rows are dead rows): only client backends count.
    const { rows } = await this.client.query(
      "SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
    )
    // What is still connected may have been counted among the sessions already.
    return { others: rows, closed: Math.max(0, closed - rows.length) }
  }

  /** `client.query` as the code under test gets it. */
  query = (...args: QueryArgs): unknown => {
    const [first, second, third] = args
    const callback = [second, third].find((a) => typeof a === 'function') as
      | ((error: unknown, result?: unknown) => void)
      | undefined
    // A Submittable (a cursor, a stream) goes as it is, once checked.
    if (
      typeof first === 'object' &&
      first !== null &&
      typeof (first as { submit?: unknown }).submit === 'function'
    ) {
      const text = (first as { text?: string }).text ?? ''
      for (const s of splitStatements(text)) this.check(s)
      return this.client.query(first as never)
    }
    const text = typeof first === 'string' ? first : (first?.text ?? '')
    const values = Array.isArray(second) ? second : undefined
    const config =
      typeof first === 'string'
        ? { text: first, ...(values ? { values } : {}) }
        : { ...first, ...(values ? { values } : {}) }
    const done = this.run(text, config)
    if (!callback) return done
    done.then(
      (result) => callback(null, result),
      (error) => callback(error),
    )
    return undefined
  }

  private check(statement: string): void {
    const why = refusal(leadingWords(statement, 4), statement)
    if (why) throw new RollbackModeError(why)
  }

  private async run(text: string, config: pg.QueryConfig): Promise<unknown> {
    if (!this.inTest)
      throw new RollbackModeError(
        'the rollbackDatabase client was used after its test ended: it belongs to one test',
      )
    const statements = splitStatements(text)
    for (const s of statements) this.check(s)
    const controls = statements.map(controlOf)
    // Transaction control among other statements: run them one by one, so the depth follows what ran.
    if (statements.length > 1 && controls.some(Boolean)) {
      const results: unknown[] = []
      for (const s of statements) results.push(await this.run(s, { text: s }))
      return results
    }
    const control = controls[0]
    if (control) return this.control(control, text)
    if (this.depth === 0 && isSavepointCommand(text))
      // What PostgreSQL answers in autocommit, rather than touching the test's own savepoints.
      throw Object.assign(new Error(`${leadingWords(text, 1)[0]} can only be used in transaction blocks`), {
        code: '25P01',
      })
    return this.statement(config)
  }

  private async control(control: Control, text: string): Promise<pg.QueryResult> {
    const command = leadingWords(text, 1)[0] ?? control.toUpperCase()
    const none = { command, rowCount: null, rows: [], fields: [], oid: 0 } as unknown as pg.QueryResult
    if (control === 'begin') {
      await this.client.query(`SAVEPOINT testbed_${this.depth}`)
      this.depth++
      return none
    }
    // COMMIT or ROLLBACK with no transaction of the code's own: PostgreSQL warns and does nothing.
    if (this.depth === 0) return none
    const savepoint = `testbed_${this.depth - 1}`
    if (control === 'commit') {
      try {
        await this.client.query(`RELEASE SAVEPOINT ${savepoint}`)
      } catch (error) {
        // COMMIT of a failed transaction rolls it back, as PostgreSQL does.
        if ((error as pg.DatabaseError).code !== IN_FAILED_TRANSACTION) throw explained(error)
        await this.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`)
        this.depth--
        return { ...none, command: 'ROLLBACK' }
      }
    } else await this.client.query(`ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`)
    this.depth--
    return none
  }

  private async statement(config: pg.QueryConfig): Promise<unknown> {
    if (this.depth > 0) {
      try {
        return await this.client.query(config)
      } catch (error) {
        throw explained(error)
      }
    }
    // At the top level a failed statement must not abort the test's transaction (autocommit would
    // have gone on): a savepoint before it, sent without waiting, is rolled back to on an error.
    const savepoint = this.client.query(
      this.statementSavepoint
        ? 'RELEASE SAVEPOINT testbed_stmt; SAVEPOINT testbed_stmt'
        : 'SAVEPOINT testbed_stmt',
    )
    this.statementSavepoint = true
    const result = this.client.query(config)
    result.catch(() => {}) // awaited below, once the savepoint is
    try {
      await savepoint
    } catch (error) {
      throw explained(error)
    }
    try {
      return await result
    } catch (error) {
      await this.client.query('ROLLBACK TO SAVEPOINT testbed_stmt')
      throw explained(error)
    }
  }
}

/** The client handed to the test: `query` intercepted, the connection itself the fixture's. */
function handedOut(session: RollbackSession): pg.Client {
  return new Proxy(session.client, {
    get(target, key, receiver) {
      if (key === 'query') return session.query
      if (key === 'end' || key === 'connect')
        return () => {
          throw new RollbackModeError(
            `rollbackDatabase.client.${String(key)}(): the connection belongs to the fixture, which runs every test of the worker on it`,
          )
        }
      const value = Reflect.get(target, key, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

// One session per server and template per worker, whatever module graph asks.
const sessions = () =>
  processSingleton('postgres.rollback', () => new Map<string, Promise<RollbackSession>>())

async function createSession(c: PostgresConnection): Promise<RollbackSession> {
  const name = `${c.prefix}_rollback_w${process.env.VITEST_POOL_ID ?? '0'}_${process.pid.toString(36)}_${Date.now().toString(36)}`
  await withAdmin(c, (admin) => cloneDatabase(admin, c.template, name, c.cloneStrategy))
  // Testbed's own connection: the trusted socket on a server Testbed started.
  const client = new pg.Client(clientConfig(c, name))
  let broken = false
  client.on('error', () => {
    broken = true
  })
  client.on('end', () => {
    broken = true
  })
  await client.connect()
  const version = Number((await client.query('SHOW server_version_num')).rows[0].server_version_num)
  let sessions: number | undefined
  if (version >= 150000) {
    // This session's own connect is counted once its statistics are flushed, which the server does
    // before its next ReadyForQuery once asked: read after that, the count includes it.
    await client.query('SELECT pg_stat_force_next_flush()')
    const { rows } = await client.query(
      'SELECT pg_stat_get_db_sessions(oid) AS s FROM pg_database WHERE datname = current_database()',
    )
    sessions = Number(rows[0].s)
  }
  return new RollbackSession(name, client, () => broken, sessions)
}

async function session(c: PostgresConnection): Promise<RollbackSession> {
  const key = `${c.host}:${c.port}/${c.template}`
  const existing = await sessions()
    .get(key)
    ?.catch(() => undefined)
  if (existing && !existing.isBroken()) return existing
  const created = createSession(c)
  sessions().set(key, created)
  return created
}

/** Forgets the worker's session: the next test gets a fresh database (what another connection committed stays in the old one). */
async function discard(c: PostgresConnection, s: RollbackSession): Promise<void> {
  sessions().delete(`${c.host}:${c.port}/${c.template}`)
  await s.client.end().catch(() => {})
}

/**
 * Runs one test in a transaction: resolves to the database as the test sees it and a `finish` that
 * rolls back, and rejects when code under test connected on its own.
 */
export async function rollbackDatabase(
  connection: PostgresConnection,
): Promise<{ database: RollbackDatabase; finish: () => Promise<void> }> {
  const s = await session(connection)
  await s.begin()
  const client = handedOut(s)
  const database: RollbackDatabase = {
    name: s.name,
    url: postgresUrl(connection, s.name),
    env: postgresEnv(connection, s.name),
    client,
    query: client.query,
  }
  const finish = async () => {
    let seen: Awaited<ReturnType<RollbackSession['end']>>
    try {
      seen = await s.end()
    } catch (error) {
      await discard(connection, s)
      throw error
    }
    const { others, closed } = seen
    if (!others.length && !closed) return
    await discard(connection, s)
    const who = [
      ...others.map((o) => `pid ${o.pid}${o.application_name ? ` (${o.application_name})` : ''}`),
      ...(closed ? [`${closed} closed before the test's end`] : []),
    ].join(', ')
    throw new RollbackModeError(
      `code under test opened its own connection to ${s.name} (${who}): it cannot see the test's uncommitted rows, and what it commits is not rolled back; ${useDatabase}, or hand the code rollbackDatabase.client`,
    )
  }
  return { database, finish }
}
