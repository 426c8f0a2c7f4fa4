import pg from 'pg'
import { describe, expect } from 'vitest'
import { RollbackModeError, rollbackDatabase, test } from '../src/index.ts'
import { leadingWords, splitStatements } from '../src/sql-statements.ts'

const count = async (query: pg.Client['query']) =>
  (await query("SELECT count(*)::int AS n FROM notes WHERE owner = 'rollback'")).rows[0].n as number
const insert = "INSERT INTO notes (owner, title, body) VALUES ('rollback', 't', 'b')"

describe('the rollbackDatabase fixture', { tags: ['requires_postgres', 'tier2'] }, () => {
  test('runs the test in a transaction on a migrated database…', async ({ rollbackDatabase }) => {
    expect(process.env.DATABASE_URL).toBe(rollbackDatabase.url)
    await rollbackDatabase.query(insert)
    expect(await count(rollbackDatabase.query)).toBe(1)
    const { rows } = await rollbackDatabase.query('SELECT now() = statement_timestamp() AS autocommit')
    expect(rows[0].autocommit).toBe(false) // now() is the transaction's start: one transaction
  })

  test('…rolled back at its end', async ({ rollbackDatabase }) => {
    expect(await count(rollbackDatabase.query)).toBe(0)
  })

  test('the code’s own COMMIT and ROLLBACK become savepoints, nested', async ({ rollbackDatabase }) => {
    const { query } = rollbackDatabase
    await query('BEGIN')
    await query(insert)
    await query('START TRANSACTION') // nested: a savepoint in a savepoint
    await query(insert)
    await query('ROLLBACK')
    await query('COMMIT')
    expect(await count(query)).toBe(1)
    await query('begin work')
    await query(insert)
    await query('abort')
    expect(await count(query)).toBe(1)
    // In one string, as the simple query protocol sends it, with the results of each statement.
    const results = await query(`BEGIN; ${insert}; /* ; */ COMMIT;`)
    expect((results as unknown as pg.QueryResult[]).map((r) => r.command)).toEqual([
      'BEGIN',
      'INSERT',
      'COMMIT',
    ])
    expect(await count(query)).toBe(2)
    // COMMIT with no transaction of the code's own does nothing, as PostgreSQL does (with a warning).
    await query('COMMIT')
    expect(await count(query)).toBe(2)
  })

  test('a COMMIT after an error in the code’s transaction rolls it back, as PostgreSQL does', async ({
    rollbackDatabase,
  }) => {
    const { query } = rollbackDatabase
    await query('BEGIN')
    await query(insert)
    await expect(query('SELECT 1/0')).rejects.toThrow('division by zero')
    await expect(query('SELECT 1')).rejects.toThrow('current transaction is aborted')
    expect((await query('COMMIT')).command).toBe('ROLLBACK')
    expect(await count(query)).toBe(0)
  })

  test('a failed statement outside the code’s transaction leaves the test’s work and transaction usable', async ({
    rollbackDatabase,
  }) => {
    const { query } = rollbackDatabase
    await query(insert)
    await expect(query('INSERT INTO notes (owner) VALUES (NULL)')).rejects.toThrow('null value')
    expect(await count(query)).toBe(1)
    await expect(query('SAVEPOINT mine')).rejects.toThrow('SAVEPOINT can only be used in transaction blocks')
  })

  test('callbacks and query configs work as on a pg.Client; end() is refused', async ({
    rollbackDatabase,
  }) => {
    const { client } = rollbackDatabase
    const n = await new Promise<number>((resolve, reject) =>
      client.query('SELECT $1::int AS n', [7], (error: Error | null, result: pg.QueryResult) =>
        error ? reject(error) : resolve(result.rows[0].n),
      ),
    )
    expect(n).toBe(7)
    expect((await client.query({ text: 'SELECT $1::text AS t', values: ['x'] })).rows).toEqual([{ t: 'x' }])
    expect(() => client.end()).toThrow('the connection belongs to the fixture')
  })

  test('what needs a transaction of its own fails saying why, and names the database fixture', async ({
    rollbackDatabase,
  }) => {
    const { query } = rollbackDatabase
    for (const [sql, says] of [
      ['VACUUM notes', 'VACUUM cannot run inside a transaction block'],
      ['CREATE DATABASE rollback_never', 'CREATE DATABASE cannot run inside a transaction block'],
      ['DROP DATABASE IF EXISTS rollback_never', 'DROP DATABASE cannot run inside a transaction block'],
      ["ALTER SYSTEM SET work_mem = '8MB'", 'ALTER SYSTEM cannot run inside a transaction block'],
      [
        'CREATE INDEX CONCURRENTLY notes_title ON notes (title)',
        'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
      ],
      ['LISTEN events', 'LISTEN in rollback mode would never deliver a notification'],
      ["NOTIFY events, 'x'", 'NOTIFY in rollback mode is never delivered'],
      ["SELECT pg_notify('events', 'x')", 'NOTIFY in rollback mode is never delivered'],
      ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'cannot be given to the savepoint'],
      ["PREPARE TRANSACTION 'x'", "would prepare the test's own transaction"],
      ['COMMIT AND CHAIN', 'AND CHAIN cannot be emulated'],
    ]) {
      const error = await query(sql as string).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error, sql).toBeInstanceOf(RollbackModeError)
      expect((error as Error).message, sql).toContain(says as string)
      expect((error as Error).message, sql).toContain('use the `database` fixture')
    }
    // The test's transaction is still usable afterwards.
    expect(await count(query)).toBe(0)
  })

  test('code under test on a connection of its own fails the test at its end, saying why', async ({
    postgresConnection,
  }) => {
    const { database, finish } = await rollbackDatabase(postgresConnection)
    const own = new pg.Client({ connectionString: database.url, application_name: 'code-under-test' })
    await own.connect()
    try {
      await expect(finish()).rejects.toThrow(
        /code under test opened its own connection to \S+ \(pid \d+ \(code-under-test\)\): it cannot see the test's uncommitted rows/,
      )
    } finally {
      await own.end()
    }
    // The next test gets a fresh database: what the other connection committed is not in it.
    const next = await rollbackDatabase(postgresConnection)
    expect(next.database.name).not.toBe(database.name)
    await next.finish()
  })

  test('a connection of the code under test closed before the test’s end fails it too', async ({
    postgresConnection,
  }) => {
    const { database, finish } = await rollbackDatabase(postgresConnection)
    await database.query(insert)
    // The code commits on its own connection and closes it: the test could pass, wrongly.
    const own = new pg.Client({ connectionString: database.url })
    await own.connect()
    await own.query(insert)
    await own.end()
    await expect(finish()).rejects.toThrow(
      `code under test opened its own connection to ${database.name} (1 closed before the test's end): it cannot see the test's uncommitted rows`,
    )
    // The committed row stays in the old database; the next test starts on a fresh one, and passes.
    const next = await rollbackDatabase(postgresConnection)
    expect(next.database.name).not.toBe(database.name)
    expect(await count(next.database.query)).toBe(0)
    await next.finish()
  })

  test('a session-level advisory lock is released at the test’s end, as a new connection has none', async ({
    postgresConnection,
  }) => {
    const locks =
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    const first = await rollbackDatabase(postgresConnection)
    await first.database.query('SELECT pg_advisory_lock(42)')
    expect((await first.database.query(locks)).rows[0].n).toBe(1)
    await first.finish()
    const second = await rollbackDatabase(postgresConnection)
    expect(second.database.name).toBe(first.database.name) // the same session, not a fresh one
    expect((await second.database.query(locks)).rows[0].n).toBe(0)
    await second.finish()
  })

  test('many tests on one session: nothing of Testbed’s own counts as another connection', async ({
    postgresConnection,
  }) => {
    const names = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const { database, finish } = await rollbackDatabase(postgresConnection)
      names.add(database.name)
      await database.query(insert)
      await finish()
    }
    expect(names.size).toBe(1)
  })
})

describe('splitting SQL into statements', { tags: ['tier1'] }, () => {
  test('at semicolons outside quotes, dollar quotes and comments', () => {
    const sql = `SELECT ';'; SELECT "a;b" FROM t -- x; y
      ; DO $f$ BEGIN PERFORM 1; END $f$; SELECT E'\\';' /* a /* ; */ ; */;;`
    expect(splitStatements(sql).map((s) => s.trim())).toEqual([
      "SELECT ';'",
      'SELECT "a;b" FROM t -- x; y',
      'DO $f$ BEGIN PERFORM 1; END $f$',
      "SELECT E'\\';' /* a /* ; */ ; */",
    ])
    expect(leadingWords('/* c */ -- d\n  rollback to x', 3)).toEqual(['ROLLBACK', 'TO', 'X'])
  })
})
