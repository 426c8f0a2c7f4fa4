import { type CryptoKey, type JWTPayload, SignJWT, type UnsecuredJWT } from 'jose'
import { DEFAULT_USER, type JsonValue, type TenantState } from './tenant-state.js'

/** Auth0's default lifetime of an access token for an API, in seconds. */
export const DEFAULT_EXPIRES_IN = 86_400

export interface TokenOptions {
  /** Defaults to the first user's `sub`. */
  sub?: string
  /** Space-separated string or list; the `scope` claim. */
  scope?: string | string[]
  /** The `permissions` claim, as Auth0 RBAC adds it. */
  permissions?: string[]
  /** Put in the tenant's namespaced roles claim (`state.rolesClaim`), as an Auth0 Action does. */
  roles?: string[]
  /** Any other claims; they win over everything above (`claims: { exp: … }` included). */
  claims?: Record<string, JsonValue>
  /** Seconds from now, or a jose time span ('15m', '2h'). Defaults to {@link DEFAULT_EXPIRES_IN}. */
  expiresIn?: number | string
  /** Defaults to the tenant's audience. */
  audience?: string | string[]
  /** Defaults to the tenant's issuer. */
  issuer?: string
}

/** The claims of an access token as Auth0 issues one for an API, from the tenant's state and the options. */
export function tokenClaims(
  state: Pick<TenantState, 'issuer' | 'audience' | 'users' | 'rolesClaim'>,
  options: TokenOptions,
): JWTPayload {
  const now = Math.floor(Date.now() / 1000)
  const payload: JWTPayload = {
    iss: options.issuer ?? state.issuer,
    sub: options.sub ?? state.users[0]?.sub ?? DEFAULT_USER.sub,
    aud: options.audience ?? state.audience,
    iat: now,
  }
  if (typeof options.expiresIn !== 'string') payload.exp = now + (options.expiresIn ?? DEFAULT_EXPIRES_IN)
  const scope = Array.isArray(options.scope) ? options.scope.join(' ') : options.scope
  if (scope !== undefined) payload.scope = scope
  if (options.permissions) payload.permissions = [...options.permissions]
  if (options.roles) payload[state.rolesClaim] = [...options.roles]
  return { ...payload, ...options.claims }
}

/** A time span (`expiresIn: '15m'`) is jose's to turn into `exp`, unless the claims set one. */
export function withExpiry<T extends SignJWT | UnsecuredJWT>(jwt: T, options: TokenOptions): T {
  if (typeof options.expiresIn === 'string' && options.claims?.exp === undefined) {
    jwt.setExpirationTime(options.expiresIn)
  }
  return jwt
}

/** An RS256 JWT of the given claims, its header naming the signing key's kid. */
export function signToken(
  claims: JWTPayload,
  options: TokenOptions,
  signer: { kid: string; key: CryptoKey },
): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: signer.kid })
  return withExpiry(jwt, options).sign(signer.key)
}
