// Node-side API: the service definition for vitest.workspace.ts.
export type { VaultConnection, VaultFound } from './connection.js'
export { EMULATOR } from './providers/embedded.js'
export { defaultKeys, type ProvisionOptions } from './provision.js'
export { type VaultOptions, vault } from './service.js'
