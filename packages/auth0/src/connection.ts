import type { TenantState } from './tenant/index.js'

/** The run's mock tenant, as tests get it. Plain data (keys included: workers sign tokens with them; never printed). */
export interface Auth0Connection {
  state: TenantState
  /** `http://127.0.0.1:<port>/`: tokens' `iss`. */
  issuer: string
  /** The issuer's host, as Auth0 SDKs take it (`127.0.0.1:<port>`). */
  domain: string
  audience: string
  jwksUri: string
  tokenEndpoint: string
  /** Names of the exported variables. */
  envNames: Auth0EnvNames
}

/** What the provider serves: the tenant is served complete, so there is nothing to provision. */
export type Auth0Found = Auth0Connection

export interface Auth0EnvNames {
  domain: string
  audience: string
  issuerBaseUrl: string
}

export const defaultEnvNames: Auth0EnvNames = {
  domain: 'AUTH0_DOMAIN',
  audience: 'AUTH0_AUDIENCE',
  issuerBaseUrl: 'AUTH0_ISSUER_BASE_URL',
}

/** What code under test reads (names configurable): the domain, the API audience, the issuer base URL. */
export function auth0Env(c: Auth0Connection): Record<string, string> {
  return {
    [c.envNames.domain]: c.domain,
    [c.envNames.audience]: c.audience,
    [c.envNames.issuerBaseUrl]: c.issuer.replace(/\/$/, ''),
  }
}
