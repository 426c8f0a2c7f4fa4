import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { CredentialCipher } from './credential-cipher.ts'
import { badRequest } from './errors.ts'
import { PROVIDERS, providerOf } from './plans.ts'

/** Stores (or replaces) the customer's credentials for a provider, encrypted; never answers the secret. */
export async function addCredentials(
  pool: pg.Pool,
  cipher: CredentialCipher,
  customerId: string,
  body: Record<string, unknown>,
) {
  const provider = providerOf(body.provider)
  if (!provider) throw badRequest(`provider must be one of ${PROVIDERS.join(', ')}`)
  const { credentials } = body
  if (typeof credentials !== 'object' || credentials === null || Object.keys(credentials).length === 0)
    throw badRequest('credentials must be a non-empty object')
  const ciphertext = await cipher.encrypt(JSON.stringify(credentials))
  const { rows } = await pool.query<{ credential_id: string; created_at: Date }>(
    `INSERT INTO provider_credentials (credential_id, customer_id, provider, ciphertext) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id, provider) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, created_at = now()
     RETURNING credential_id, created_at`,
    [`cred_${randomUUID()}`, customerId, provider, ciphertext],
  )
  return { ...rows[0], customer_id: customerId, provider, encrypted: true, cipher: cipher.name }
}

export async function listCredentials(pool: pg.Pool, customerId: string) {
  const { rows } = await pool.query(
    'SELECT credential_id, provider, created_at FROM provider_credentials WHERE customer_id = $1 ORDER BY provider',
    [customerId],
  )
  return rows
}

/** The provider's credentials decrypted, for a pipeline run; undefined when the customer gave none. */
export async function credentialsFor(
  client: pg.ClientBase,
  cipher: CredentialCipher,
  customerId: string,
  provider: string,
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await client.query<{ ciphertext: string }>(
    'SELECT ciphertext FROM provider_credentials WHERE customer_id = $1 AND provider = $2',
    [customerId, provider],
  )
  return rows[0]
    ? (JSON.parse(await cipher.decrypt(rows[0].ciphertext)) as Record<string, unknown>)
    : undefined
}
