/** The Vault transit calls the service makes (https://developer.hashicorp.com/vault/api-docs/secret/transit). */
export interface Transit {
  encrypt(plaintext: string): Promise<string>
  decrypt(ciphertext: string): Promise<string>
}

export function vaultTransit(address: string, token: string, key: string, mount = 'transit'): Transit {
  const call = async (path: string, body: object): Promise<Record<string, string>> => {
    const response = await fetch(`${address}/v1/${mount}/${path}`, {
      method: 'POST',
      headers: { 'x-vault-token': token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const json = (await response.json()) as { data?: Record<string, string>; errors?: string[] }
    if (!response.ok || !json.data)
      throw new Error(`vault ${path}: ${response.status} ${json.errors?.join('; ') ?? ''}`)
    return json.data
  }
  return {
    encrypt: async (plaintext) =>
      (await call(`encrypt/${key}`, { plaintext: Buffer.from(plaintext).toString('base64') }))
        .ciphertext as string,
    decrypt: async (ciphertext) =>
      Buffer.from((await call(`decrypt/${key}`, { ciphertext })).plaintext as string, 'base64').toString(),
  }
}

/** Without Vault the service stores bodies as they are. */
export const plaintext: Transit = { encrypt: async (s) => s, decrypt: async (s) => s }
