import { diagnoseDiscovery, type Provider, packagesFound } from '@testbed/core/config'
import type { VaultFound } from '../connection.js'
import { startVaultEmulator } from '../emulator/index.js'
import { DEV_TOKEN_SOURCE as tokenSource } from './dev-token.js'

export const EMULATOR = "Testbed's Vault dev-mode emulator"

/**
 * Testbed's emulator of Vault's HTTP API (transit, kv-v2, sys), in the main process on loopback:
 * the enterprise pipeline runs anywhere. The reporter says plainly when it served; a pipeline that
 * needs a real Vault refuses it with `real: ['vault']` (or TESTBED_REAL=vault).
 */
export function embeddedProvider(): Provider<VaultFound> {
  return {
    kind: 'embedded',
    async start(ctx) {
      const token = ctx.secret()
      const emulator = await startVaultEmulator({ rootToken: token })
      ctx.onRelease(() => emulator.close())
      return { connection: { address: emulator.url, token, tokenSource }, emulated: EMULATOR }
    },
    diagnose: async () =>
      diagnoseDiscovery(
        () => packagesFound(['@testbed/vault'], import.meta.url),
        (found) => ({
          applicable: true,
          reason: `${EMULATOR}, in the run's main process on loopback (a stand-in: real: ['vault'] refuses it)`,
          found: { emulator: EMULATOR, ...found },
        }),
      ),
  }
}
