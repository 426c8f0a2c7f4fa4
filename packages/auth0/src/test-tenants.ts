import type { Auth0Connection } from './connection.js'
import { interceptTenant, MockTenant, serveTenant } from './tenant/index.js'

/** A tenant of one test's own, served on loopback. */
export interface TestPrivateTenant {
  tenant: MockTenant
  /** The served base URL, the tenant's issuer: `http://127.0.0.1:<port>/`. */
  url: string
  /** Stops serving it; calling it again does nothing. */
  release(): Promise<void>
}

/**
 * A new tenant with the run's audience, served on loopback for one test, free to rotate and retire
 * its keys: what the `auth0PrivateTenant` fixture gives.
 */
export async function testPrivateTenant(
  connection: Pick<Auth0Connection, 'audience'>,
): Promise<TestPrivateTenant> {
  const { audience } = connection
  const served = await serveTenant((issuer) => MockTenant.create({ issuer, audience }))
  return { tenant: served.tenant, url: served.url, release: () => served.close() }
}

/** A tenant of one test's own, answered by msw inside this process. */
export interface TestInterceptedTenant {
  tenant: MockTenant
  /** Stops intercepting; calling it again does nothing. */
  release(): Promise<void>
}

/**
 * A new tenant at `https://testbed.auth0.com/` with the run's audience, its endpoints answered by msw
 * inside this process (one interception at a time: see {@link interceptTenant}): what the
 * `auth0Intercepted` fixture gives.
 */
export async function testInterceptedTenant(
  connection: Pick<Auth0Connection, 'audience'>,
): Promise<TestInterceptedTenant> {
  const tenant = await MockTenant.create({
    issuer: 'https://testbed.auth0.com/',
    audience: connection.audience,
  })
  const interception = interceptTenant(tenant)
  return { tenant, release: async () => interception.close() }
}
