import { serviceForScope, useConnection } from '@testbed/core'
import { test as base } from 'vitest'
import type { PostgresConnection } from './connection.js'
import { databasePool, type TestDatabase } from './test-database.js'

export interface PostgresFixtures {
  /** The server (connection info), once the test is known to be marked `requires_postgres`. */
  postgres: PostgresConnection
  /** A fresh database cloned from the migrated template, dropped after the test. */
  database: TestDatabase
  /** One database shared by the tests of a file (for suites that build state step by step). */
  fileDatabase: TestDatabase
}

/** Keep a failed test's database for inspection: `TESTBED_KEEP_FAILED_DATABASES=1`. */
const keepFailed = () => process.env.TESTBED_KEEP_FAILED_DATABASES === '1'

/** Points DATABASE_URL & co. at `env` until the returned function restores them. */
function overrideEnv(env: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  Object.assign(process.env, env)
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

// Each fixture a test may name asks for the service under its own name, never through another
// fixture: the advice for a test without its marker then names the fixture the test used.
export const test = base
  .extend('postgres', async ({ task, skip }) =>
    useConnection<PostgresConnection>({ task, skip }, 'postgres', 'postgres'),
  )
  .extend('database', async ({ task, skip }, { onCleanup }) => {
    const connection = await useConnection<PostgresConnection>({ task, skip }, 'postgres', 'database')
    const pool = databasePool(connection)
    const db = await pool.take()
    // While the test owns the database, code under test that reads DATABASE_URL sees it.
    const restoreEnv = overrideEnv({ DATABASE_URL: db.url, PGDATABASE: db.name })
    onCleanup(async () => {
      restoreEnv()
      if (task.result?.state === 'fail' && keepFailed()) {
        console.warn(`testbed: kept database ${await pool.keep(db)} of failed test '${task.name}'`)
        return
      }
      await pool.drop(db)
    })
    return db
  })
  // The file's database, taken when its first test asks (once that test's marker was checked).
  .extend('postgresFileDatabase', { scope: 'file' }, async ({}, { onCleanup }) => {
    let taken: Promise<{ db: TestDatabase; drop: () => Promise<void> }> | undefined
    onCleanup(async () => {
      const held = await taken?.catch(() => undefined)
      await held?.drop()
    })
    return (): Promise<TestDatabase> => {
      taken ??= serviceForScope<PostgresConnection>('postgres').then(async ({ connection }) => {
        const pool = databasePool(connection)
        const db = await pool.take()
        return { db, drop: () => pool.drop(db) }
      })
      return taken.then(({ db }) => db)
    }
  })
  .extend('fileDatabase', async ({ task, skip, postgresFileDatabase }) => {
    await useConnection<PostgresConnection>({ task, skip }, 'postgres', 'fileDatabase')
    return postgresFileDatabase()
  })
