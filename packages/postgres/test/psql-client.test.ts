// The per-test databases seen by a real client: psql (found by the `psql` service, vitest.workspace.ts),
// run as a child process with only the variables the plugin gives code under test.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { useService } from '@testbed/core'
import { describe, expect } from 'vitest'
import { test as base } from '../src/index.ts'

declare module '@testbed/core' {
  interface TestbedServices {
    /** `hostBinaries('psql', ['psql'])`: PostgreSQL's own client on this machine */
    psql: true
  }
}

interface Finished {
  code: number
  stdout: string
  stderr: string
}

const test = base.extend('psql', async ({ task, skip }) => {
  const dir = (await useService<string>({ task, skip }, 'psql', 'psql')).connection
  /** psql without ~/.psqlrc, unaligned, tuples only, stopping at the first error; `env` is all it gets. */
  return (env: Record<string, string>, args: string[]) =>
    new Promise<Finished>((resolve, reject) => {
      execFile(
        join(dir, 'psql'),
        ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...args],
        { env, timeout: 60_000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') reject(error)
          else resolve({ code: error ? (error.code as number) : 0, stdout, stderr })
        },
      )
    })
})

let previous: { name: string; url: string } | undefined

describe('psql against the per-test databases', {
  tags: ['requires_postgres', 'requires_psql', 'tier2'],
}, () => {
  test('with the exported PG* variables it reaches this test’s database: migrated, with the test’s rows', async ({
    database,
    psql,
  }) => {
    await database.query("INSERT INTO notes (owner, title, body) VALUES ('ada', 'seen by psql', '.')")
    // database.env is what a child process under test is given: DATABASE_URL and PGHOST…PGDATABASE.
    const finished = await psql(database.env, [
      '-c',
      'SELECT current_database()',
      '-c',
      "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
      '-c',
      "SELECT indexname FROM pg_indexes WHERE indexname = 'notes_owner_idx'",
      '-c',
      "SELECT owner || ' / ' || title FROM notes",
    ])
    expect(finished.stderr).toBe('')
    expect(finished.stdout.trim().split('\n')).toEqual([
      database.name,
      'notes',
      'notes_owner_idx',
      'ada / seen by psql',
    ])
    previous = { name: database.name, url: database.url }
  })

  test('with its DATABASE_URL it sees only its own database: not another’s rows, not a finished test’s database', async ({
    database,
    fileDatabase,
    psql,
    postgresConnection,
  }) => {
    expect(previous).toBeDefined()
    const { name, url } = previous as { name: string; url: string }
    const query = (databaseUrl: string, sql: string) => psql({}, [databaseUrl, '-c', sql])

    // Another database of the run, alive now (the file's): its row is there, and invisible from this URL.
    await fileDatabase.query("INSERT INTO notes (owner, title, body) VALUES ('bob', 'not yours', '.')")
    expect((await query(fileDatabase.url, 'SELECT title FROM notes')).stdout.trim()).toBe('not yours')
    const own = await query(database.url, 'SELECT current_database(), count(*) FROM notes')
    expect(own).toMatchObject({ code: 0, stderr: '' })
    expect(own.stdout.trim()).toBe(`${database.name}|0`)
    expect(database.name).not.toBe(name)

    // The previous test's database is dropped once it ends (in the background): psql is then refused.
    await expect
      .poll(
        async () => (await database.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount,
        {
          timeout: 60_000,
        },
      )
      .toBe(0)
    const gone = await query(url, 'SELECT 1')
    expect(gone.code).not.toBe(0)
    expect(gone.stderr).toContain(`database "${name}" does not exist`)

    // The migrated template every test database is cloned from refuses connections.
    const template = await query(url.replace(`/${name}`, `/${postgresConnection.template}`), 'SELECT 1')
    expect(template.code).not.toBe(0)
    expect(template.stderr).toContain(
      `database "${postgresConnection.template}" is not currently accepting connections`,
    )
  })
})
