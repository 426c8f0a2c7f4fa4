import { useConnection } from '@testbed/core'
import { test as base, type TestContext } from 'vitest'
import type { Auth0Connection } from './connection.js'
import { interceptTenant, MockTenant, serveTenant, type TokenOptions } from './tenant/index.js'

/** A signed-in user as tests use one: who, their token, and the header that carries it. */
export interface UserContext {
  sub: string
  token: string
  headers: { authorization: string }
}

/** The run's tenant, seen from a test: where it is, and tokens signed with its keys. */
export interface Auth0Tenant {
  domain: string
  issuer: string
  audience: string
  jwksUri: string
  tokenEndpoint: string
  /** The tenant's default machine client, for the client-credentials flow. */
  client: { clientId: string; clientSecret: string }
  token(options?: TokenOptions): Promise<string>
  /** Expired, not yet valid, wrong audience, wrong issuer, unknown key, tampered, `alg: none`. */
  badTokens: MockTenant['badTokens']
  /** A user with a fresh token for them: `fetch(url, { headers: user.headers })`. */
  as(options?: TokenOptions): Promise<UserContext>
}

export interface Auth0Fixtures {
  auth0: Auth0Tenant
  /** A tenant of this test's own on loopback, free to rotate and retire keys; closed afterwards. */
  auth0PrivateTenant: { tenant: MockTenant; url: string }
  /** A tenant at `https://testbed.auth0.com/`, answered by msw inside this worker; closed afterwards. */
  auth0Intercepted: MockTenant
}

// One MockTenant per worker for the run's tenant: it only signs, so a copy of the state is enough.
const TENANTS = Symbol.for('testbed.auth0.tenants')
type Holder = { [TENANTS]?: Map<string, MockTenant> }

function localTenant(c: Auth0Connection): MockTenant {
  const holder = globalThis as Holder
  holder[TENANTS] ??= new Map()
  let tenant = holder[TENANTS].get(c.issuer)
  if (!tenant) {
    tenant = new MockTenant(c.state)
    holder[TENANTS].set(c.issuer, tenant)
  }
  return tenant
}

function tenantView(c: Auth0Connection, tenant: MockTenant): Auth0Tenant {
  const { clientId, clientSecret } = tenant.client
  return {
    domain: c.domain,
    issuer: c.issuer,
    audience: c.audience,
    jwksUri: c.jwksUri,
    tokenEndpoint: c.tokenEndpoint,
    client: { clientId, clientSecret },
    token: (options) => tenant.token(options),
    badTokens: tenant.badTokens,
    async as(options = {}) {
      const token = await tenant.token(options)
      return { sub: options.sub ?? tenant.user.sub, token, headers: { authorization: `Bearer ${token}` } }
    },
  }
}

/**
 * The run's tenant for a test marked `requires_auth0` (skips or fails it otherwise): a building block
 * to add Auth0 to another plugin's `test`: `postgresTest.extend('auth0', auth0For)`.
 */
export async function auth0For({ task, skip }: Pick<TestContext, 'task' | 'skip'>): Promise<Auth0Tenant> {
  const connection = await useConnection<Auth0Connection>({ task, skip }, 'auth0', 'auth0')
  return tenantView(connection, localTenant(connection))
}

// Each fixture a test may name asks for the service under its own name, never through another
// fixture: the advice for a test without its marker then names the fixture the test used.
export const test = base
  .extend('auth0Connection', async ({ task, skip }) =>
    useConnection<Auth0Connection>({ task, skip }, 'auth0', 'auth0Connection'),
  )
  .extend('auth0', auth0For)
  .extend('auth0PrivateTenant', async ({ task, skip }, { onCleanup }) => {
    const { audience } = await useConnection<Auth0Connection>({ task, skip }, 'auth0', 'auth0PrivateTenant')
    const served = await serveTenant((issuer) => MockTenant.create({ issuer, audience }))
    onCleanup(() => served.close())
    return { tenant: served.tenant, url: served.url }
  })
  .extend('auth0Intercepted', async ({ task, skip }, { onCleanup }) => {
    const { audience } = await useConnection<Auth0Connection>({ task, skip }, 'auth0', 'auth0Intercepted')
    const tenant = await MockTenant.create({ issuer: 'https://testbed.auth0.com/', audience })
    const interception = interceptTenant(tenant)
    onCleanup(() => interception.close())
    return tenant
  })
