import { fileURLToPath } from 'node:url'
import { runVitest } from '@testbed/test-support/run-vitest'
import pg from 'pg'
import { describe, expect } from 'vitest'
import { postgresUrl } from '../src/connection.ts'
import { test } from '../src/index.ts'

describe('keeping a failed test’s database', { tags: ['requires_postgres', 'tier2'] }, () => {
  test('TESTBED_KEEP_FAILED_DATABASES=1 keeps it, renamed out of the run, and drops the rest', async ({
    postgresConnection,
  }) => {
    const url = postgresUrl(postgresConnection)
    const run = await runVitest({
      fixture: fileURLToPath(new URL('./fixtures/keep-failed', import.meta.url)),
      env: { DATABASE_URL: url, TESTBED_KEEP_FAILED_DATABASES: '1' },
    })
    expect(run.status('fails after writing a row')).toBe('failed')
    // The reporter names the server without its password.
    expect(run.stderr).toContain(`postgres ready via env`)
    expect(run.stderr).toContain(`${postgresConnection.user}:***@`)
    expect(run.stdout + run.stderr).not.toContain(`:${encodeURIComponent(postgresConnection.password)}@`)
    const kept = /kept database (testbed_kept_\w+) of failed test 'fails after writing a row'/.exec(
      run.stdout + run.stderr,
    )?.[1]
    const passed = /PASSED_DB (\w+)/.exec(run.stdout)?.[1]
    expect(kept).toBeDefined()
    const admin = new pg.Client(url)
    await admin.connect()
    try {
      const evidence = new pg.Client(postgresUrl(postgresConnection, kept))
      await evidence.connect()
      const { rows } = await evidence.query('SELECT title FROM notes')
      await evidence.end()
      expect(rows).toEqual([{ title: 'evidence' }])
      // The nested run dropped everything else it made (the passed test's database among them). Only
      // its prefix is looked at: other runs (other files' nested runs) share this server meanwhile.
      const nestedPrefix = /^testbed_kept_(testbed_[a-z0-9]+)_/.exec(kept as string)?.[1]
      expect(nestedPrefix).toBeDefined()
      const left = await admin.query(
        'SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $2)',
        [passed, nestedPrefix],
      )
      expect(left.rows).toEqual([])
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(kept as string)}`)
      await admin.end()
    }
  })
})
