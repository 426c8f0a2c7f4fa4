import { describe, expect } from 'vitest'
import { test, testDatabase } from '../src/index.ts'

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

  test('refuses a label that is not a plain lower-case name', async ({ postgresConnection }) => {
    await expect(testDatabase(postgresConnection, { label: 'My Notes' })).rejects.toThrow(
      `a test database's label must be 1 to 20 lower-case letters, digits or _, not "My Notes"`,
    )
  })
})
