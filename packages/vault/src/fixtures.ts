import { randomBytes } from 'node:crypto'
import { useConnection } from '@testbed/core'
import type NodeVault from 'node-vault' // in function bodies only: node-vault is an optional peer
import { test as base, type TestContext } from 'vitest'
import type { VaultConnection } from './connection.js'
import { VaultClient } from './vault-client.js'

// biome-ignore lint/suspicious/noExplicitAny: node-vault types its responses `any`; so does this stand-in
type NodeVaultResponse = any

/**
 * The part of node-vault's client the fixture promises, declared here so that this package's types
 * compile without node-vault installed. For its generated commands (`health()`, `encryptData()`, …)
 * use node-vault's own type: `nodeVault as NodeVault.client`.
 */
export interface NodeVaultClient {
  endpoint: string
  token: string
  apiVersion: string
  request(options: { path: string; method: string; [option: string]: unknown }): Promise<NodeVaultResponse>
  read(path: string, requestOptions?: Record<string, unknown>): Promise<NodeVaultResponse>
  write(path: string, data: unknown, requestOptions?: Record<string, unknown>): Promise<NodeVaultResponse>
  update(path: string, data: unknown, requestOptions?: Record<string, unknown>): Promise<NodeVaultResponse>
  list(path: string, requestOptions?: Record<string, unknown>): Promise<NodeVaultResponse>
  delete(path: string, requestOptions?: Record<string, unknown>): Promise<NodeVaultResponse>
}

export interface VaultFixtures {
  /** The seed's `vault_kms_config`: address, token, transit mount and keys. */
  vaultConfig: VaultConnection
  /** A typed client over `fetch`: encrypt, decrypt, rewrap, rotate, kv, and `request()` for the rest. */
  vault: VaultClient
  /** A transit key of this test's own, deleted afterwards. */
  transitKey: string
  /** A node-vault client (needs `node-vault` installed: it is an optional peer dependency). */
  nodeVault: NodeVaultClient
}

/**
 * The run's Vault for a test marked `requires_vault` (skips or fails it otherwise): a building block
 * to add Vault to another plugin's `test`: `postgresTest.extend('vaultConfig', vaultFor)`.
 */
export async function vaultFor({ task, skip }: Pick<TestContext, 'task' | 'skip'>): Promise<VaultConnection> {
  return useConnection<VaultConnection>({ task, skip }, 'vault', 'vaultConfig')
}

// Each fixture a test may name asks for the service under its own name, never through another
// fixture: the advice for a test without its marker then names the fixture the test used.
export const test = base
  .extend('vaultConfig', vaultFor)
  .extend(
    'vault',
    async ({ task, skip }) =>
      new VaultClient(await useConnection<VaultConnection>({ task, skip }, 'vault', 'vault')),
  )
  .extend('transitKey', async ({ task, skip }, { onCleanup }) => {
    const vault = new VaultClient(await useConnection<VaultConnection>({ task, skip }, 'vault', 'transitKey'))
    const key = `testbed-${randomBytes(6).toString('hex')}`
    await vault.createKey(key)
    onCleanup(() => vault.deleteKey(key))
    return key
  })
  .extend('nodeVault', async ({ task, skip }): Promise<NodeVaultClient> => {
    const vaultConfig = await useConnection<VaultConnection>({ task, skip }, 'vault', 'nodeVault')
    let factory: typeof NodeVault
    try {
      factory = (await import('node-vault')).default
    } catch {
      throw new Error('the nodeVault fixture needs node-vault: npm install --save-dev node-vault')
    }
    return factory({ apiVersion: 'v1', endpoint: vaultConfig.address, token: vaultConfig.token })
  })
