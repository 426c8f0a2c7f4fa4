// Node-side API: the service definition for vitest.workspace.ts.
export type { NatsConfig } from './connection.js'
export type { ProvisionOptions, StreamOptions } from './provision.js'
export { type NatsOptions, nats } from './service.js'
