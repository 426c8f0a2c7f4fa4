import { processSingleton } from '@testbed/core'
import type { Auth0Connection } from './connection.js'
import { type BadTokens, MockTenant, type TokenOptions } from './tenant/index.js'

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
  badTokens: BadTokens
  /** A user with a fresh token for them: `fetch(url, { headers: user.headers })`. */
  as(options?: TokenOptions): Promise<UserContext>
}

/** One MockTenant per process and issuer signs for the run's tenant: it only signs, so a copy of the state is enough. */
function signingTenant(connection: Auth0Connection): MockTenant {
  const tenants = processSingleton('auth0.tenants', () => new Map<string, MockTenant>())
  let tenant = tenants.get(connection.issuer)
  if (!tenant) {
    tenant = new MockTenant(connection.state)
    tenants.set(connection.issuer, tenant)
  }
  return tenant
}

/**
 * The run's tenant, from its connection: tokens, bad tokens and users, signed in this process with
 * the keys the main process serves. What the `auth0` fixture gives.
 */
export function auth0Tenant(connection: Auth0Connection): Auth0Tenant {
  const tenant = signingTenant(connection)
  const { clientId, clientSecret } = tenant.client
  return {
    domain: connection.domain,
    issuer: connection.issuer,
    audience: connection.audience,
    jwksUri: connection.jwksUri,
    tokenEndpoint: connection.tokenEndpoint,
    client: { clientId, clientSecret },
    token: (options) => tenant.token(options),
    badTokens: tenant.badTokens,
    async as(options = {}) {
      const token = await tenant.token(options)
      return { sub: options.sub ?? tenant.user.sub, token, headers: { authorization: `Bearer ${token}` } }
    },
  }
}
