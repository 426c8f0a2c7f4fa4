import { defineService, type ReadinessPolicy, type ServiceDefinition } from '@testbed/core/config'
import { type VaultConnection, type VaultFound, vaultEnv } from './connection.js'
import { probeVault } from './probe.js'
import { binaryProvider } from './providers/binary.js'
import { type ContainerOptions, containerProvider } from './providers/container.js'
import { embeddedProvider } from './providers/embedded.js'
import { envProvider } from './providers/env.js'
import { type ProvisionOptions, provisionVault } from './provision.js'

export interface VaultOptions extends ProvisionOptions {
  container?: ContainerOptions
  /** How long to wait for a Vault that starts slowly (a CI runner's Vault may take tens of seconds). */
  readiness?: Partial<ReadinessPolicy>
}

/** HashiCorp Vault: `env`, then `container`, `binary`, and Testbed's `embedded` emulator. */
export function vault(options: VaultOptions = {}): ServiceDefinition<VaultConnection, VaultFound> {
  return defineService<VaultConnection, VaultFound>({
    name: 'vault',
    description: 'HashiCorp Vault',
    // Providers yield an address and a token; provisioning adds the transit mount and keys.
    providers: [envProvider(), containerProvider(options.container), binaryProvider(), embeddedProvider()],
    probe: (connection, signal) => probeVault(connection, signal),
    readiness: options.readiness,
    provision: (found) => provisionVault(found, options),
    env: (connection) => vaultEnv(connection),
    endpoint: (connection) => connection.address,
  })
}
