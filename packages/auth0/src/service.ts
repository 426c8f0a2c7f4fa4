import { defineService, fetchEndpoint, type ServiceDefinition } from '@testbed/core/config'
import { type Auth0Connection, type Auth0EnvNames, auth0Env, defaultEnvNames } from './connection.js'
import { type CreateTenantStateOptions, MockTenant, serveTenant } from './tenant/index.js'

export interface Auth0Options extends Partial<Omit<CreateTenantStateOptions, 'issuer'>> {
  /** Names of the exported variables (default AUTH0_DOMAIN, AUTH0_AUDIENCE, AUTH0_ISSUER_BASE_URL). */
  env?: Partial<Auth0EnvNames>
}

export const MOCK_TENANT = "Testbed's mock Auth0 tenant"

/**
 * Auth0 as the seed tests it, with mock responses and no real Auth0: a tenant (jose keys, msw handlers)
 * served on loopback by the main process, so an app under test in another process reaches it; workers
 * sign tokens with the same keys.
 */
export function auth0(options: Auth0Options = {}): ServiceDefinition<Auth0Connection> {
  const { env, ...tenantOptions } = options
  const audience = tenantOptions.audience ?? 'https://api.testbed.test/'
  return defineService<Auth0Connection>({
    name: 'auth0',
    description: 'Auth0 (a mock tenant)',
    providers: [
      {
        kind: 'embedded',
        async start(ctx) {
          const served = await serveTenant((issuer) =>
            MockTenant.create({ ...tenantOptions, issuer, audience }),
          )
          ctx.onRelease(() => served.close())
          const { tenant } = served
          return {
            connection: {
              state: tenant.state,
              issuer: tenant.issuer,
              domain: tenant.domain,
              audience: tenant.audience,
              jwksUri: tenant.jwksUri,
              tokenEndpoint: tenant.tokenEndpoint,
              envNames: { ...defaultEnvNames, ...env },
            },
            emulated: MOCK_TENANT,
          }
        },
      },
    ],
    async probe({ jwksUri }, signal) {
      const response = await fetchEndpoint(jwksUri, { signal })
      if (!response.ok) throw new Error(`${jwksUri} answered ${response.status}`)
    },
    env: auth0Env,
    endpoint: (c) => c.issuer,
  })
}
