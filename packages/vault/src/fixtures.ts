import { defineFixtureSet, type FixtureSet, useConnection } from '@testbed/core'
import { test as base } from 'vitest'
import type { VaultConnection } from './connection.js'
import { type NodeVaultClient, nodeVaultClient } from './node-vault.js'
import { testTransitKey } from './test-transit-key.js'
import { VaultClient } from './vault-client.js'

export interface VaultFixtures {
  /** The run's Vault, provisioned: address, token, transit mount and keys. */
  vaultConnection: VaultConnection
  /** A typed client over `fetch`: encrypt, decrypt, rewrap, rotate, kv, and `request()` for the rest. */
  vault: VaultClient
  /** A transit key of this test's own, deleted afterwards. */
  transitKey: string
  /** A node-vault client (needs `node-vault` installed: it is an optional peer dependency). */
  nodeVault: NodeVaultClient
}

/**
 * Vault's fixtures, added to any `test`: `composeFixtures(vitestTest, postgresFixtures, vaultFixtures)`.
 * Each fixture a test may name asks for the service under its own name, never through another
 * fixture: the advice for a test without its marker then names the fixture the test used.
 */
export const vaultFixtures: FixtureSet<VaultFixtures> = defineFixtureSet((test) =>
  test
    .extend('vaultConnection', async ({ task, skip }) =>
      useConnection<VaultConnection>({ task, skip }, 'vault', 'vaultConnection'),
    )
    .extend(
      'vault',
      async ({ task, skip }) =>
        new VaultClient(await useConnection<VaultConnection>({ task, skip }, 'vault', 'vault')),
    )
    .extend('transitKey', async ({ task, skip }, { onCleanup }) => {
      const connection = await useConnection<VaultConnection>({ task, skip }, 'vault', 'transitKey')
      const key = await testTransitKey(connection)
      onCleanup(() => key.release())
      return key.name
    })
    .extend('nodeVault', async ({ task, skip }) =>
      nodeVaultClient(await useConnection<VaultConnection>({ task, skip }, 'vault', 'nodeVault')),
    ),
)

/** Vitest's `test` with Vault's fixtures. */
export const test = vaultFixtures(base)
