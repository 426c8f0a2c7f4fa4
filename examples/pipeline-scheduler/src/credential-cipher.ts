// How provider credentials are encrypted before they are stored: through Vault transit when the
// service is given Vault, else with a local AES-256-GCM key. Either way the database holds only
// ciphertext, and each form says which cipher made it (`vault:v1:…`, `local:v1:…`).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

export interface CredentialCipher {
  /** `vault-transit` or `local-aes-256-gcm`. */
  readonly name: string
  encrypt(plaintext: string): Promise<string>
  decrypt(ciphertext: string): Promise<string>
}

/** Vault's transit engine (https://developer.hashicorp.com/vault/api-docs/secret/transit). */
export function vaultTransitCipher(
  address: string,
  token: string,
  key: string,
  mount = 'transit',
): CredentialCipher {
  const call = async (path: string, body: object): Promise<Record<string, string>> => {
    const response = await fetch(`${address}/v1/${mount}/${path}`, {
      method: 'POST',
      headers: { 'x-vault-token': token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const json = (await response.json()) as { data?: Record<string, string>; errors?: string[] }
    if (!response.ok || !json.data)
      throw new Error(`vault transit ${path}: ${response.status} ${json.errors?.join('; ') ?? ''}`)
    return json.data
  }
  return {
    name: 'vault-transit',
    encrypt: async (plaintext) =>
      (await call(`encrypt/${key}`, { plaintext: Buffer.from(plaintext).toString('base64') }))
        .ciphertext as string,
    decrypt: async (ciphertext) =>
      Buffer.from((await call(`decrypt/${key}`, { ciphertext })).plaintext as string, 'base64').toString(),
  }
}

/** AES-256-GCM with a key derived from `secret` (SHA-256); a fresh 12-byte IV per value. */
export function localCipher(secret: string): CredentialCipher {
  const key = createHash('sha256').update(secret).digest()
  return {
    name: 'local-aes-256-gcm',
    async encrypt(plaintext) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return `local:v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`
    },
    async decrypt(ciphertext) {
      if (!ciphertext.startsWith('local:v1:')) throw new Error('not a local:v1 ciphertext')
      const raw = Buffer.from(ciphertext.slice('local:v1:'.length), 'base64')
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
      decipher.setAuthTag(raw.subarray(12, 28))
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
    },
  }
}
