import { fetchEndpoint } from '@testbed/core/config'
import type { Auth0Found } from './connection.js'

/** Ready when the tenant serves its JWKS. */
export async function probeAuth0({ jwksUri }: Auth0Found, signal?: AbortSignal): Promise<void> {
  const response = await fetchEndpoint(jwksUri, { signal })
  if (!response.ok) throw new Error(`${jwksUri} answered ${response.status}`)
}
