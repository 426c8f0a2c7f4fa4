import { fileURLToPath } from 'node:url'
import { runVitest } from '@testbed/test-support/run-vitest'
import pg from 'pg'
import { describe, expect, test as vitestTest } from 'vitest'
import { test } from '../src/index.ts'

let previous: string | undefined

async function databaseExists(url: string, name: string): Promise<boolean> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1
  } finally {
    await client.end()
  }
}

describe('the database fixture', { tags: ['requires_postgres', 'tier2'] }, () => {
  test('hands out a fresh, migrated database and points DATABASE_URL at it', async ({
    database,
    postgresConnection,
  }) => {
    expect(database.name).not.toBe(postgresConnection.template)
    expect(process.env.DATABASE_URL).toBe(database.url)
    expect(process.env.PGDATABASE).toBe(database.name)
    const { rows } = await database.query("SELECT to_regclass('notes') IS NOT NULL AS migrated")
    expect(rows[0].migrated).toBe(true)
    await database.query("INSERT INTO notes (owner, title, body) VALUES ('t', 't', 't')")
    previous = database.name
  })

  test('drops it after the test', async ({ database }) => {
    expect(previous).toBeDefined()
    // The drop runs in the background, so that no test waits for it.
    await expect.poll(() => databaseExists(database.url, previous as string)).toBe(false)
    expect((await database.query('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(0)
  })

  test('restores DATABASE_URL afterwards to the run’s shared database', ({ postgresConnection }) => {
    expect(process.env.DATABASE_URL).toContain(`/${postgresConnection.shared}`)
  })
})

describe('the per-file database', { tags: ['requires_postgres', 'tier2'] }, () => {
  test('keeps state from one test of the file…', async ({ fileDatabase }) => {
    await fileDatabase.query("INSERT INTO notes (owner, title, body) VALUES ('file', 'step 1', '.')")
  })

  test('…to the next', async ({ fileDatabase }) => {
    const { rows } = await fileDatabase.query('SELECT title FROM notes')
    expect(rows).toEqual([{ title: 'step 1' }])
  })
})

vitestTest(
  'a fixture used without the marker fails with advice naming that fixture',
  { tags: ['tier2'] },
  async () => {
    const run = await runVitest({ fixture: fileURLToPath(new URL('./fixtures/unmarked', import.meta.url)) })
    for (const fixture of ['postgresConnection', 'database', 'fileDatabase']) {
      const name = `uses ${fixture} unmarked`
      expect(run.status(name)).toBe('failed')
      expect(run.tests.find((t) => t.fullName.endsWith(name))?.failureMessages.join('\n')).toContain(
        `'${name}' uses the postgres fixture '${fixture}' but is not marked requires_postgres. Add { tags: ['requires_postgres'] }`,
      )
    }
    expect(run.stderr).not.toContain('postgres ready') // nothing was started for tests that may not use it
  },
)
