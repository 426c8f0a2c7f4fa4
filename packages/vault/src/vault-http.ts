import { fetchEndpoint } from '@testbed/core'
import type { VaultConnection } from './connection.js'

/** A refusal from Vault: its status and its `errors`, with where the token came from on a 403. */
export class VaultError extends Error {
  override name = 'VaultError'
  constructor(
    readonly status: number,
    readonly errors: string[],
    message: string,
  ) {
    super(message)
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST'

/**
 * One call to Vault's HTTP API (https://developer.hashicorp.com/vault/api-docs): `path` is relative
 * to `/v1/`. Resolves with the parsed body (`undefined` for 204); rejects with a VaultError, or with
 * the endpoint and the cause when Vault cannot be reached.
 */
export async function vaultRequest<T = unknown>(
  c: Pick<VaultConnection, 'address' | 'token' | 'tokenSource'>,
  method: Method,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const response = await fetchEndpoint(`${c.address}/v1/${path.replace(/^\/+/, '')}`, {
    method,
    headers: {
      'x-vault-token': c.token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  })
  const text = await response.text()
  const json = text ? (JSON.parse(text) as T & { errors?: string[] }) : undefined
  if (!response.ok) {
    const errors = json?.errors ?? []
    const said = errors.length ? errors.join('; ') : response.statusText
    const hint = response.status === 403 ? ` (the token from ${c.tokenSource} was refused)` : ''
    throw new VaultError(
      response.status,
      errors,
      `vault ${method} ${path}: ${response.status} ${said}${hint}`,
    )
  }
  return json as T
}
