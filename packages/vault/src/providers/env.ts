import {
  diagnoseDiscovery,
  existingServerReadiness,
  NotApplicable,
  type Provider,
  parseServiceUrl,
  setVariables,
} from '@testbed/core/config'
import type { VaultFound } from '../connection.js'

/** The Vault the variables name; NotApplicable when neither is set, an error when one is missing. */
function fromEnv(env: NodeJS.ProcessEnv): VaultFound {
  const { VAULT_ADDR: address, VAULT_TOKEN: token } = env
  if (!address && !token) throw new NotApplicable('VAULT_ADDR and VAULT_TOKEN are not set')
  if (!address) throw new Error('VAULT_TOKEN is set but VAULT_ADDR is not')
  if (!token) throw new Error(`VAULT_ADDR is set (${address}) but VAULT_TOKEN is not`)
  parseServiceUrl(address, { variable: 'VAULT_ADDR', kind: 'Vault', schemes: ['http', 'https'] })
  return { address: address.trim().replace(/\/+$/, ''), token, tokenSource: 'VAULT_TOKEN' }
}

/** An existing Vault: `VAULT_ADDR` and `VAULT_TOKEN`, as the Vault CLI reads them. */
export function envProvider(env: NodeJS.ProcessEnv = process.env): Provider<VaultFound> {
  return {
    kind: 'env',
    authoritative: true,
    async start() {
      return { connection: fromEnv(env), detail: 'from VAULT_ADDR', readiness: existingServerReadiness }
    },
    async diagnose() {
      const found = setVariables(env, ['VAULT_ADDR', 'VAULT_TOKEN'])
      return diagnoseDiscovery(
        () => fromEnv(env),
        () => ({ applicable: true, reason: 'from VAULT_ADDR and VAULT_TOKEN', found }),
        found,
      )
    },
  }
}
