// Node-side API: the service definition for vitest.workspace.ts.
export type { S3Config, S3Found } from './connection.js'
export { EMULATOR } from './providers/embedded-provider.js'
export type { ProvisionOptions } from './provision.js'
export { type S3Options, s3 } from './service.js'
