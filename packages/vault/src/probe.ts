import { fetchEndpoint, ProbeRefused } from '@testbed/core/config'
import type { VaultFound } from './connection.js'
import { VaultError, vaultRequest } from './vault-http.js'

interface Health {
  initialized: boolean
  sealed: boolean
  standby: boolean
}

/**
 * Ready when `/v1/sys/health` says initialized, unsealed and active, and the token is accepted.
 * A refused token is final: waiting will not make it right.
 */
export async function probeVault(c: VaultFound, signal?: AbortSignal): Promise<void> {
  const response = await fetchEndpoint(`${c.address}/v1/sys/health`, { signal })
  const health = (await response.json().catch(() => ({}))) as Partial<Health>
  if (!health.initialized) throw new Error(`${c.address} is not initialized (sys/health ${response.status})`)
  if (health.sealed) throw new Error(`${c.address} is sealed`)
  if (health.standby) throw new Error(`${c.address} is a standby node`)
  try {
    await vaultRequest(c, 'GET', 'auth/token/lookup-self', undefined, signal)
  } catch (error) {
    if (error instanceof VaultError && error.status === 403) {
      throw new ProbeRefused(`${c.address} refused the token from ${c.tokenSource}: 403 permission denied`)
    }
    throw error
  }
}
