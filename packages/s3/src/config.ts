// Node-side API: what vitest.workspace.ts imports.
export type { S3Connection, S3Found } from './connection.js'
export { type S3HistoryStoreOptions, s3HistoryStore } from './history-store.js'
export type { ContainerOptions } from './providers/container.js'
export { EMULATOR } from './providers/embedded.js'
export type { ProvisionOptions } from './provision.js'
export { type S3ResultStoreOptions, s3ResultStore } from './result-cache-store.js'
export { type S3Options, s3 } from './service.js'
