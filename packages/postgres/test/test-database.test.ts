import { describe, expect } from 'vitest'
import { test, testDatabase } from '../src/index.ts'
import { poolBudget } from '../src/test-database.ts'

const exists = async (
  query: (sql: string, values: string[]) => Promise<{ rowCount: number | null }>,
  name: string,
) => (await query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1

describe('testDatabase, the building block of the database fixture', {
  tags: ['requires_postgres', 'tier2'],
}, () => {
  test('a label goes into the name; release drops the database, and releasing again does nothing', async ({
    postgresConnection,
    database,
  }) => {
    const notes = await testDatabase(postgresConnection, { label: 'notes' })
    expect(notes.name.startsWith(`${postgresConnection.prefix}_notes_w`)).toBe(true)
    expect(notes.name).not.toBe(database.name)
    const { rows } = await notes.query("SELECT to_regclass('notes') IS NOT NULL AS migrated")
    expect(rows[0].migrated).toBe(true)
    await notes.release()
    await notes.release()
    await expect.poll(() => exists(database.query, notes.name)).toBe(false)
  })

  test('keep renames the database out of the run; release afterwards does nothing', async ({
    postgresConnection,
    database,
  }) => {
    const db = await testDatabase(postgresConnection)
    const kept = await db.keep()
    expect(kept).toBe(`testbed_kept_${db.name}`)
    await db.release()
    expect(await exists(database.query, kept)).toBe(true)
    await database.query(`DROP DATABASE "${kept}" WITH (FORCE)`)
  })

  test('refuses a TESTBED_POSTGRES_POOL that is not a whole number, and makes no pool', async ({
    postgresConnection,
  }) => {
    const saved = process.env.TESTBED_POSTGRES_POOL
    process.env.TESTBED_POSTGRES_POOL = 'many'
    try {
      await expect(testDatabase(postgresConnection, { label: 'bad_pool' })).rejects.toThrow(
        'TESTBED_POSTGRES_POOL must be a whole number of databases cloned ahead per worker (0 turns the pool off; unset adapts it), not "many"',
      )
    } finally {
      if (saved === undefined) delete process.env.TESTBED_POSTGRES_POOL
      else process.env.TESTBED_POSTGRES_POOL = saved
    }
    // Nothing was cloned for it; with the variable valid again the same label gets its pool.
    const db = await testDatabase(postgresConnection, { label: 'bad_pool' })
    expect(db.name).toContain('_bad_pool_w')
    await db.release()
  })

  test('refuses a label that is not a plain lower-case name', async ({ postgresConnection }) => {
    await expect(testDatabase(postgresConnection, { label: 'My Notes' })).rejects.toThrow(
      `a test database's label must be 1 to 20 lower-case letters, digits or _, not "My Notes"`,
    )
  })
})

describe('the pool’s share of the server’s connections', { tags: ['tier1'] }, () => {
  test('half of max_connections split among the workers; a small server gets two and two', () => {
    expect(poolBudget(200, 2)).toEqual({ concurrency: 4, maxDepth: 8 })
    expect(poolBudget(100, 4)).toEqual({ concurrency: 3, maxDepth: 6 })
    // test/many-workers.test.ts: four workers on 40 connections, seven a worker as before.
    expect(poolBudget(40, 4)).toEqual({ concurrency: 2, maxDepth: 2 })
    expect(poolBudget(10, 8)).toEqual({ concurrency: 2, maxDepth: 2 })
  })
})
