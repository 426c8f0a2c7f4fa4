import { defineService, type ServiceDefinition } from '@testbed/core/config'
import {
  type Auth0Connection,
  type Auth0EnvNames,
  type Auth0Found,
  auth0Env,
  defaultEnvNames,
} from './connection.js'
import { probeAuth0 } from './probe.js'
import { embeddedProvider } from './providers/embedded.js'
import type { CreateTenantStateOptions } from './tenant/index.js'

export interface Auth0Options extends Partial<Omit<CreateTenantStateOptions, 'issuer'>> {
  /** Names of the exported variables (default AUTH0_DOMAIN, AUTH0_AUDIENCE, AUTH0_ISSUER_BASE_URL). */
  env?: Partial<Auth0EnvNames>
}

/** Auth0, with no real Auth0: Testbed's mock tenant, the `embedded` provider. */
export function auth0(options: Auth0Options = {}): ServiceDefinition<Auth0Connection, Auth0Found> {
  const { env, ...tenant } = options
  const audience = tenant.audience ?? 'https://api.testbed.test/'
  return defineService<Auth0Connection, Auth0Found>({
    name: 'auth0',
    description: 'Auth0 (a mock tenant)',
    // The tenant is served complete: nothing to provision, what the provider found is what tests get.
    providers: [embeddedProvider({ ...tenant, audience }, { ...defaultEnvNames, ...env })],
    probe: (found, signal) => probeAuth0(found, signal),
    env: auth0Env,
    endpoint: (c) => c.issuer,
  })
}
