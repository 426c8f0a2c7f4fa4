import { diagnoseDiscovery, type Provider, packagesFound } from '@testbed/core/config'
import type { Auth0EnvNames, Auth0Found } from '../connection.js'
import { type CreateTenantStateOptions, MockTenant, serveTenant } from '../tenant/index.js'

export const MOCK_TENANT = "Testbed's mock Auth0 tenant"

/**
 * Testbed's mock tenant (jose keys, msw handlers), served on loopback by the main process so that an
 * app under test in another process reaches it; workers sign tokens with the same keys.
 */
export function embeddedProvider(
  tenant: Omit<CreateTenantStateOptions, 'issuer'>,
  envNames: Auth0EnvNames,
): Provider<Auth0Found> {
  return {
    kind: 'embedded',
    async start(ctx) {
      const served = await serveTenant((issuer) => MockTenant.create({ ...tenant, issuer }))
      ctx.onRelease(() => served.close())
      const { state, issuer, domain, audience, jwksUri, tokenEndpoint } = served.tenant
      return {
        connection: { state, issuer, domain, audience, jwksUri, tokenEndpoint, envNames },
        emulated: MOCK_TENANT,
      }
    },
    // The tenant runs on jose (its keys and tokens) and msw (its handlers).
    diagnose: async () =>
      diagnoseDiscovery(
        () => packagesFound(['jose', 'msw'], import.meta.url),
        (found) => ({
          applicable: true,
          reason: `${MOCK_TENANT}, in the run's main process on loopback (a stand-in: real: ['auth0'] refuses it)`,
          found: { emulator: MOCK_TENANT, ...found },
        }),
      ),
  }
}
