import { randomBytes } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'

/** A value that survives `structuredClone`, `JSON.stringify` and the worker boundary unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** An RS256 signing key of the tenant. The last key that is not retired signs new tokens. */
export interface TenantKey {
  kid: string
  /** Private JWK (with `kid` and `alg`): never served, only used to sign. */
  privateJwk: JWK
  /** Public JWK as served in the JWKS: `kty`, `n`, `e`, `kid`, `alg: 'RS256'`, `use: 'sig'`. */
  publicJwk: JWK
  /** A retired key has left the JWKS: tokens it signed no longer verify. */
  retired?: boolean
}

/** An application of the tenant, allowed the client-credentials grant to the tenant's API. */
export interface TenantClient {
  clientId: string
  clientSecret: string
  name?: string
  /** Scopes granted to the client (space-separated); a token request may ask for a subset. */
  scope?: string
}

/** A user profile, as `/userinfo` returns it. */
export interface TenantUser {
  sub: string
  email?: string
  email_verified?: boolean
  name?: string
  nickname?: string
  picture?: string
  [claim: string]: JsonValue | undefined
}

/**
 * Everything that describes a mock tenant, as plain data: a worker process given a clone
 * (`structuredClone`, Vitest's `provide`/`inject`, JSON) rebuilds the same tenant with `new MockTenant(state)`.
 */
export interface TenantState {
  /** `https://testbed.auth0.com/` or `http://127.0.0.1:PORT/`; always ends with `/`, like Auth0's. */
  issuer: string
  /** The API identifier: the audience of access tokens. */
  audience: string
  /** The claim that carries roles (Auth0 puts them in a namespaced claim from an Action). */
  rolesClaim: string
  keys: TenantKey[]
  clients: TenantClient[]
  users: TenantUser[]
}

export interface CreateTenantStateOptions {
  /** Absolute http(s) URL; a missing trailing `/` is added. */
  issuer: string
  audience: string
  /** Defaults to one client with a random id and secret; a client without a secret gets a random one. */
  clients?: Array<Omit<TenantClient, 'clientSecret'> & { clientSecret?: string }>
  /** Defaults to one user, {@link DEFAULT_USER}. */
  users?: TenantUser[]
  /** Defaults to `https://testbed/roles`. */
  rolesClaim?: string
}

export const DEFAULT_ROLES_CLAIM = 'https://testbed/roles'

export const DEFAULT_USER: Readonly<TenantUser> = Object.freeze({
  sub: 'auth0|testbed-user',
  email: 'user@testbed.test',
  email_verified: true,
  name: 'Testbed User',
  nickname: 'user',
})

/** Checks and normalises an issuer: an absolute http(s) URL without query or fragment, ending with `/`. */
export function normalizeIssuer(issuer: string): string {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new TypeError(
      `the issuer must be an absolute URL such as https://testbed.auth0.com/, not ${issuer}`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`the issuer must be an http(s) URL, not ${issuer}`)
  }
  if (url.search || url.hash) throw new TypeError(`the issuer must not have a query or fragment: ${issuer}`)
  return url.href.endsWith('/') ? url.href : `${url.href}/`
}

/** A fresh RS256 key pair, exported as JWKs, its kid the RFC 7638 thumbprint of the public key. */
export async function generateTenantKey(): Promise<TenantKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const exported = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(exported)
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' },
    publicJwk: { kty: exported.kty, n: exported.n, e: exported.e, kid, alg: 'RS256', use: 'sig' },
  }
}

/** A new tenant's state: one signing key, the given (or a default) client and users. */
export async function createTenantState(options: CreateTenantStateOptions): Promise<TenantState> {
  if (!options.audience) throw new TypeError('the tenant needs an audience (the API identifier)')
  const clients = (options.clients ?? [{ clientId: randomId(16), name: 'Testbed default client' }]).map(
    (client) => ({ ...client, clientSecret: client.clientSecret ?? randomId(48) }),
  )
  return {
    issuer: normalizeIssuer(options.issuer),
    audience: options.audience,
    rolesClaim: options.rolesClaim ?? DEFAULT_ROLES_CLAIM,
    keys: [await generateTenantKey()],
    clients,
    users: (options.users ?? [DEFAULT_USER]).map((user) => ({ ...user })),
  }
}

/** A state given from outside (a clone), its issuer normalised; refused without a key that signs. */
export function checkTenantState(state: TenantState): TenantState {
  state.issuer = normalizeIssuer(state.issuer)
  if (!state.keys.some((key) => !key.retired))
    throw new Error('a tenant state needs a key that is not retired')
  return state
}

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url')
}
