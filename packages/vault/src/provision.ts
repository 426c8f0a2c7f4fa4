import type { VaultConnection, VaultFound } from './connection.js'
import { VaultClient } from './vault-client.js'
import { vaultRequest } from './vault-http.js'

export interface ProvisionOptions {
  /** The transit engine's mount path. Default `transit`. */
  mount?: string
  /** Transit keys to create. Default: `test-integration-key` and `test-data-key`. */
  keys?: string[]
  /** kv-v2 secrets to write: `{ 'app/db': { password: '…' } }`, under `kvMount` (default `secret`). */
  kv?: Record<string, Record<string, unknown>>
  kvMount?: string
}

export const defaultKeys = ['test-integration-key', 'test-data-key']

async function ensureMount(c: VaultFound, path: string, type: 'transit' | 'kv'): Promise<void> {
  const mounts = await vaultRequest<Record<string, unknown> & { data?: Record<string, unknown> }>(
    c,
    'GET',
    'sys/mounts',
  )
  if (`${path}/` in (mounts.data ?? mounts)) return
  await vaultRequest(
    c,
    'POST',
    `sys/mounts/${path}`,
    type === 'kv' ? { type: 'kv', options: { version: '2' } } : { type },
  )
}

/**
 * Enables the transit engine and creates the keys, then writes the kv-v2 secrets given.
 * Idempotent, so a Vault that outlives runs (`env`) is provisioned again without harm.
 */
export async function provisionVault(c: VaultFound, options: ProvisionOptions): Promise<VaultConnection> {
  const mount = options.mount ?? 'transit'
  const keys = options.keys ?? defaultKeys
  await ensureMount(c, mount, 'transit')
  const connection: VaultConnection = { ...c, mount, keys }
  const client = new VaultClient(connection)
  for (const key of keys) await client.createKey(key)
  const kvMount = options.kvMount ?? 'secret'
  if (options.kv && Object.keys(options.kv).length) {
    await ensureMount(c, kvMount, 'kv')
    for (const [path, data] of Object.entries(options.kv)) await client.kvWrite(path, data, kvMount)
  }
  return connection
}
