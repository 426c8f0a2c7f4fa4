import { findBinaryDir, hostBinaries } from '@testbed/core/config'

const NATS_SERVER = 'nats-server'

/** The directory holding `nats-server` on PATH (Debian's package installs `/usr/sbin/nats-server`), if any. */
export function natsServerDir(): string | undefined {
  return findBinaryDir([NATS_SERVER])
}

/** `nats-server` on this machine as a service: `requires_nats_server` for tests that run it directly. */
export function natsServerBinary() {
  return hostBinaries('nats_server', [NATS_SERVER])
}
