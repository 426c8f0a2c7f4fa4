/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures, building blocks and types for test files.
export {
  type PostgresConnection,
  type PostgresFound,
  postgresEnv,
  postgresUrl,
  redactedUrl,
} from './connection.js'
export { type PostgresFixtures, postgresFixtures, test } from './fixtures.js'
export { type RollbackDatabase, RollbackModeError, rollbackDatabase } from './rollback-database.js'
export { type TestDatabase, type TestDatabaseOptions, testDatabase } from './test-database.js'

declare module '@testbed/core' {
  interface TestbedServices {
    postgres: true
    /** `postgresBinaries()`: PostgreSQL's server programs on this machine */
    postgres_binaries: true
  }
}
