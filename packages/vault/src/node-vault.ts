import type NodeVault from 'node-vault' // in function bodies only: node-vault is an optional peer
import type { VaultFound } from './connection.js'

// biome-ignore lint/suspicious/noExplicitAny: node-vault types its responses `any`; so does this stand-in
type NodeVaultResponse = any

/**
 * The part of node-vault's client the `nodeVault` fixture promises, declared here so that this package's
 * types compile without node-vault installed. For its generated commands (`health()`, `encryptData()`, …)
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

/** A node-vault client for the connection's Vault; says how to install node-vault where it is missing. */
export async function nodeVaultClient(connection: VaultFound): Promise<NodeVaultClient> {
  let factory: typeof NodeVault
  try {
    factory = (await import('node-vault')).default
  } catch {
    throw new Error('the nodeVault fixture needs node-vault: npm install --save-dev node-vault')
  }
  return factory({ apiVersion: 'v1', endpoint: connection.address, token: connection.token })
}
