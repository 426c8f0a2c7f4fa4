import type { VaultConnection } from './connection.js'
import { vaultRequest } from './vault-http.js'

interface Envelope<T> {
  data: T
}

const b64 = (text: string) => Buffer.from(text).toString('base64')
const unb64 = (base64: string) => Buffer.from(base64, 'base64').toString()

/**
 * A typed client for the transit and kv-v2 engines over `fetch`: what tests (and provisioning) use.
 * `request()` reaches any other endpoint.
 */
export class VaultClient {
  constructor(readonly connection: Pick<VaultConnection, 'address' | 'token' | 'tokenSource' | 'mount'>) {}

  request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    return vaultRequest<T>(this.connection, method, path, body)
  }

  private transit<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.request<T>(method, `${this.connection.mount}/${path}`, body)
  }

  /** `vault:v1:…` */
  async encrypt(key: string, plaintext: string): Promise<string> {
    return (
      await this.transit<Envelope<{ ciphertext: string }>>('POST', `encrypt/${key}`, {
        plaintext: b64(plaintext),
      })
    ).data.ciphertext
  }

  async decrypt(key: string, ciphertext: string): Promise<string> {
    return unb64(
      (await this.transit<Envelope<{ plaintext: string }>>('POST', `decrypt/${key}`, { ciphertext })).data
        .plaintext,
    )
  }

  /** Re-encrypts with the key's newest version. */
  async rewrap(key: string, ciphertext: string): Promise<string> {
    return (await this.transit<Envelope<{ ciphertext: string }>>('POST', `rewrap/${key}`, { ciphertext }))
      .data.ciphertext
  }

  async createKey(key: string, options: { type?: string; exportable?: boolean } = {}): Promise<void> {
    await this.transit('POST', `keys/${key}`, options)
  }

  async rotate(key: string): Promise<number> {
    await this.transit('POST', `keys/${key}/rotate`)
    return (await this.readKey(key)).latest_version
  }

  readKey(
    key: string,
  ): Promise<
    { name: string; latest_version: number; min_decryption_version: number } & Record<string, unknown>
  > {
    return this.transit<Envelope<{ name: string; latest_version: number; min_decryption_version: number }>>(
      'GET',
      `keys/${key}`,
    ).then((r) => r.data)
  }

  /** Vault refuses to delete a key until its config allows it; this does both. */
  async deleteKey(key: string): Promise<void> {
    await this.transit('POST', `keys/${key}/config`, { deletion_allowed: true })
    await this.transit('DELETE', `keys/${key}`)
  }

  async kvWrite(path: string, data: Record<string, unknown>, mount = 'secret'): Promise<number> {
    return (await this.request<Envelope<{ version: number }>>('POST', `${mount}/data/${path}`, { data })).data
      .version
  }

  async kvRead<T extends Record<string, unknown> = Record<string, unknown>>(
    path: string,
    mount = 'secret',
  ): Promise<T> {
    return (await this.request<Envelope<{ data: T }>>('GET', `${mount}/data/${path}`)).data.data
  }
}
