import { type CryptoKey, decodeJwt, importJWK, type JWTPayload, UnsecuredJWT } from 'jose'
import { generateTenantKey, type JsonValue } from './tenant-state.js'
import { signToken, type TokenOptions, withExpiry } from './tokens.js'

type BadToken = (options?: TokenOptions) => Promise<string>

/** Tokens that a correct validation must reject, each for one reason. */
export interface BadTokens {
  /** `exp` an hour ago: jose `ERR_JWT_EXPIRED`. */
  expired: BadToken
  /** `nbf` an hour ahead: jose `ERR_JWT_CLAIM_VALIDATION_FAILED`, claim `nbf`. */
  notYetValid: BadToken
  /** `aud` another API: claim `aud`. */
  wrongAudience: BadToken
  /** `iss` another tenant, though signed with this tenant's key: claim `iss`. */
  wrongIssuer: BadToken
  /** Signed by a key that the JWKS does not hold (its own kid): `ERR_JWKS_NO_MATCHING_KEY`. */
  unknownKey: BadToken
  /** A genuine token whose payload was changed after signing: `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`. */
  tampered: (options?: TokenOptions, patch?: Record<string, JsonValue>) => Promise<string>
  /** Unsigned, `alg: none`: refused by any verifier given a key (`ERR_JOSE_ALG_NOT_ALLOWED` with `algorithms`). */
  algNone: BadToken
}

export const WRONG_AUDIENCE = 'https://wrong-audience.testbed.invalid/'
export const WRONG_ISSUER = 'https://wrong-issuer.testbed.invalid/'

/** What bad tokens are made from: the tenant's own tokens and claims. */
export interface TokenMinter {
  token(options?: TokenOptions): Promise<string>
  claims(options: TokenOptions): JWTPayload
}

/** A tenant's bad tokens; the key of no tenant that `unknownKey` signs with is made once, when first needed. */
export function createBadTokens(tenant: TokenMinter): BadTokens {
  const now = () => Math.floor(Date.now() / 1000)
  const at = (options: TokenOptions | undefined, claims: Record<string, JsonValue>) =>
    tenant.token({ ...options, claims: { ...claims, ...options?.claims } })
  let stray: Promise<{ kid: string; key: CryptoKey }> | undefined
  const strayKey = () => {
    stray ??= generateTenantKey().then(async ({ kid, privateJwk }) => ({
      kid,
      key: (await importJWK(privateJwk, 'RS256')) as CryptoKey,
    }))
    return stray
  }
  return {
    expired: (options) => at(options, { iat: now() - 7200, exp: now() - 3600 }),
    notYetValid: (options) => at(options, { nbf: now() + 3600 }),
    wrongAudience: (options) => tenant.token({ ...options, audience: WRONG_AUDIENCE }),
    wrongIssuer: (options) => tenant.token({ ...options, issuer: WRONG_ISSUER }),
    unknownKey: async (options = {}) => signToken(tenant.claims(options), options, await strayKey()),
    tampered: async (options, patch = { sub: 'auth0|attacker', permissions: ['*'] }) => {
      const token = await tenant.token(options)
      const [header, , signature] = token.split('.')
      const changed = Buffer.from(JSON.stringify({ ...decodeJwt(token), ...patch })).toString('base64url')
      return `${header}.${changed}.${signature}`
    },
    algNone: async (options = {}) => withExpiry(new UnsecuredJWT(tenant.claims(options)), options).encode(),
  }
}
