import { defineFixtureSet, type FixtureSet, serviceForScope, useConnection } from '@testbed/core'
import { test as base } from 'vitest'
import type { PostgresConnection } from './connection.js'
import { currentTemplate } from './current-template.js'
import { type RollbackDatabase, rollbackDatabase } from './rollback-database.js'
import { type TestDatabase, testDatabase } from './test-database.js'

export interface PostgresFixtures {
  /** The server, provisioned (connection info), once the test is known to be marked `requires_postgres`. */
  postgresConnection: PostgresConnection
  /** A fresh database cloned from the migrated template, dropped after the test. */
  database: TestDatabase
  /** One database shared by the tests of a file (for suites that build state step by step). */
  fileDatabase: TestDatabase
  /** The worker's database, the test run in a transaction rolled back at its end (see the README's rollback mode). */
  rollbackDatabase: RollbackDatabase
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

/**
 * PostgreSQL's fixtures, added to any `test`: `composeFixtures(vitestTest, postgresFixtures, …)`.
 * Each fixture a test may name asks for the service under its own name, never through another
 * fixture: the advice for a test without its marker then names the fixture the test used.
 */
export const postgresFixtures: FixtureSet<PostgresFixtures> = defineFixtureSet((test) =>
  test
    // Once per file (and so once per rerun in watch mode): the template of the migrations as they are now.
    .extend('postgresCurrent', { scope: 'file' }, async () => {
      let current: Promise<PostgresConnection> | undefined
      return (connection: PostgresConnection): Promise<PostgresConnection> => {
        current ??= currentTemplate(connection)
        return current
      }
    })
    .extend('postgresConnection', async ({ task, skip, postgresCurrent }) =>
      postgresCurrent(
        await useConnection<PostgresConnection>({ task, skip }, 'postgres', 'postgresConnection'),
      ),
    )
    .extend('database', async ({ task, skip, postgresCurrent }, { onCleanup }) => {
      const connection = await postgresCurrent(
        await useConnection<PostgresConnection>({ task, skip }, 'postgres', 'database'),
      )
      const db = await testDatabase(connection)
      // While the test owns the database, code under test that reads DATABASE_URL sees it.
      const restoreEnv = overrideEnv({ DATABASE_URL: db.url, PGDATABASE: db.name })
      onCleanup(async () => {
        restoreEnv()
        if (task.result?.state === 'fail' && keepFailed()) {
          console.warn(`testbed: kept database ${await db.keep()} of failed test '${task.name}'`)
          return
        }
        await db.release()
      })
      return db
    })
    // The file's database, taken when its first test asks (once that test's marker was checked).
    .extend('postgresFileDatabase', { scope: 'file' }, async ({ postgresCurrent }, { onCleanup }) => {
      let taken: Promise<TestDatabase> | undefined
      onCleanup(async () => {
        const db = await taken?.catch(() => undefined)
        await db?.release()
      })
      return (): Promise<TestDatabase> => {
        taken ??= serviceForScope<PostgresConnection>('postgres').then(async ({ connection }) =>
          testDatabase(await postgresCurrent(connection)),
        )
        return taken
      }
    })
    .extend('fileDatabase', async ({ task, skip, postgresFileDatabase }) => {
      await useConnection<PostgresConnection>({ task, skip }, 'postgres', 'fileDatabase')
      return postgresFileDatabase()
    })
    .extend('rollbackDatabase', async ({ task, skip, postgresCurrent }, { onCleanup }) => {
      const connection = await postgresCurrent(
        await useConnection<PostgresConnection>({ task, skip }, 'postgres', 'rollbackDatabase'),
      )
      const { database, finish } = await rollbackDatabase(connection)
      // Code under test that connects on its own through DATABASE_URL is caught at the test's end.
      const restoreEnv = overrideEnv({ DATABASE_URL: database.url, PGDATABASE: database.name })
      onCleanup(async () => {
        restoreEnv()
        await finish()
      })
      return database
    }),
)

/** Vitest's `test` with PostgreSQL's fixtures. */
export const test = postgresFixtures(base)
