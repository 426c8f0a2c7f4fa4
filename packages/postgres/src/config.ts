// Node-side API: the service definition for vitest.workspace.ts.
export { postgresBinaries } from './binaries.js'
export type { PostgresConnection, PostgresFound } from './connection.js'
export type { MigrationFunction, Migrations } from './migrations.js'
export { type PostgresOptions, postgres } from './service.js'
