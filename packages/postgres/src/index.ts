/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures and types for test files.
export type { PostgresConnection } from './connection.js'
export { connectionEnv, connectionUrl } from './connection.js'
export { type PostgresFixtures, test } from './fixtures.js'
export type { TestDatabase } from './test-database.js'

declare module '@testbed/core' {
  interface TestbedServices {
    postgres: true
    /** `postgresBinaries()`: PostgreSQL's server programs on this machine */
    postgres_binaries: true
  }
}
