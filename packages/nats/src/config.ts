// Node-side API: the service definition for vitest.workspace.ts.
import { hostBinaries } from '@testbed/core/config'

export type { NatsConfig } from './connection.js'
export type { ProvisionOptions, StreamOptions } from './provision.js'
export { type NatsOptions, nats } from './service.js'

/** `nats-server` on this machine as a service: `requires_nats_server` for tests that run it directly. */
export function natsServerBinary() {
  return hostBinaries('nats_server', ['nats-server'])
}
