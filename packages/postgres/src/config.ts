// Node-side API: the service definition for vitest.workspace.ts.
export type { PostgresConnection } from './connection.js'
export type { MigrationFunction, Migrations } from './migrations.js'
export { postgresBinaries } from './providers/postgres-binaries.js'
export { type PostgresOptions, postgres } from './service.js'
