import {
  type CryptoKey,
  createLocalJWKSet,
  decodeJwt,
  importJWK,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
} from 'jose'
import { type HttpHandler, HttpResponse, http, type JsonBodyType } from 'msw'
import {
  type CreateTenantStateOptions,
  createTenantState,
  DEFAULT_USER,
  generateTenantKey,
  type JsonValue,
  normalizeIssuer,
  type TenantClient,
  type TenantKey,
  type TenantState,
  type TenantUser,
} from './tenant-state.js'

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

/**
 * A mock Auth0 tenant built from a {@link TenantState}: it signs tokens, and its msw {@link handlers} answer
 * the tenant's endpoints under its issuer (JWKS, OpenID configuration, `/oauth/token`, `/userinfo`).
 * The handlers read the tenant's current state, so key rotation needs no re-registration.
 * Use them with {@link interceptTenant} (this process), {@link serveTenant} (loopback HTTP), or your own
 * msw server: `server.use(...tenant.handlers)`.
 */
export class MockTenant {
  readonly issuer: string
  /** The issuer's host (with the port, for a loopback tenant), as Auth0 SDKs take it. */
  readonly domain: string
  readonly jwksUri: string
  readonly openidConfigurationUri: string
  readonly tokenEndpoint: string
  readonly userinfoEndpoint: string
  readonly authorizationEndpoint: string
  readonly handlers: HttpHandler[]
  readonly badTokens: BadTokens

  #state: TenantState
  readonly #signingKeys = new Map<string, Promise<CryptoKey>>()
  #strayKey: Promise<{ kid: string; key: CryptoKey }> | undefined

  /** A tenant with a new state (fresh key pair, default client and user unless given). */
  static async create(options: CreateTenantStateOptions): Promise<MockTenant> {
    return new MockTenant(await createTenantState(options))
  }

  constructor(state: TenantState) {
    this.#state = checkState(structuredClone(state))
    this.issuer = this.#state.issuer
    this.domain = new URL(this.issuer).host
    this.jwksUri = `${this.issuer}.well-known/jwks.json`
    this.openidConfigurationUri = `${this.issuer}.well-known/openid-configuration`
    this.tokenEndpoint = `${this.issuer}oauth/token`
    this.userinfoEndpoint = `${this.issuer}userinfo`
    this.authorizationEndpoint = `${this.issuer}authorize`
    this.handlers = this.#createHandlers()
    this.badTokens = this.#createBadTokens()
  }

  /** A snapshot (a clone) of the current state: send it to a worker, or keep it to restore later. */
  get state(): TenantState {
    return structuredClone(this.#state)
  }

  get audience(): string {
    return this.#state.audience
  }

  /** The kid that signs new tokens. */
  get kid(): string {
    return this.#currentKey().kid
  }

  /** The JWKS as served: public keys of the keys not retired. */
  get jwks(): JSONWebKeySet {
    return { keys: this.#state.keys.filter((key) => !key.retired).map((key) => ({ ...key.publicJwk })) }
  }

  /** The first client (a copy): the one {@link createTenantState} made unless clients were given. */
  get client(): TenantClient {
    const client = this.#state.clients[0]
    if (!client) throw new Error(`the tenant ${this.issuer} has no client`)
    return { ...client }
  }

  /** The first user (a copy): the default subject of {@link token}. */
  get user(): TenantUser {
    const user = this.#state.users[0]
    if (!user) throw new Error(`the tenant ${this.issuer} has no user`)
    return { ...user }
  }

  /** Replaces the state, for instance with one a key rotation made in another process. The issuer cannot change. */
  replaceState(state: TenantState): void {
    const next = checkState(structuredClone(state))
    if (next.issuer !== this.issuer) {
      throw new Error(`a tenant's issuer cannot change: ${this.issuer} was given a state for ${next.issuer}`)
    }
    this.#state = next
  }

  /** An RS256 access token signed with the current key, shaped like the ones Auth0 issues for an API. */
  async token(options: TokenOptions = {}): Promise<string> {
    const key = this.#currentKey()
    const jwt = new SignJWT(this.#claims(options)).setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      kid: key.kid,
    })
    return withExpiry(jwt, options).sign(await this.#signingKey(key))
  }

  /** Adds a new key, which signs from now on; the previous keys stay in the JWKS so their tokens still verify. */
  async rotateKeys(): Promise<TenantState> {
    const key = await generateTenantKey()
    this.#state.keys.push(key)
    return this.state
  }

  /** Takes every key but the current one out of the JWKS: tokens they signed stop verifying. */
  retireOldKeys(): TenantState {
    const current = this.#currentKey()
    for (const key of this.#state.keys) if (key !== current) key.retired = true
    return this.state
  }

  #currentKey(): TenantKey {
    const key = this.#state.keys.findLast((candidate) => !candidate.retired)
    if (!key) throw new Error(`the tenant ${this.issuer} has no active signing key`)
    return key
  }

  #signingKey(key: TenantKey): Promise<CryptoKey> {
    let imported = this.#signingKeys.get(key.kid)
    if (!imported) {
      imported = importJWK(key.privateJwk, 'RS256') as Promise<CryptoKey>
      this.#signingKeys.set(key.kid, imported)
    }
    return imported
  }

  #claims(options: TokenOptions): JWTPayload {
    const now = Math.floor(Date.now() / 1000)
    const payload: JWTPayload = {
      iss: options.issuer ?? this.issuer,
      sub: options.sub ?? this.#state.users[0]?.sub ?? DEFAULT_USER.sub,
      aud: options.audience ?? this.audience,
      iat: now,
    }
    if (typeof options.expiresIn !== 'string') payload.exp = now + (options.expiresIn ?? DEFAULT_EXPIRES_IN)
    const scope = Array.isArray(options.scope) ? options.scope.join(' ') : options.scope
    if (scope !== undefined) payload.scope = scope
    if (options.permissions) payload.permissions = [...options.permissions]
    if (options.roles) payload[this.#state.rolesClaim] = [...options.roles]
    return { ...payload, ...options.claims }
  }

  #createBadTokens(): BadTokens {
    const now = () => Math.floor(Date.now() / 1000)
    const at = (options: TokenOptions | undefined, claims: Record<string, JsonValue>) =>
      this.token({ ...options, claims: { ...claims, ...options?.claims } })
    return {
      expired: (options) => at(options, { iat: now() - 7200, exp: now() - 3600 }),
      notYetValid: (options) => at(options, { nbf: now() + 3600 }),
      wrongAudience: (options) => this.token({ ...options, audience: WRONG_AUDIENCE }),
      wrongIssuer: (options) => this.token({ ...options, issuer: WRONG_ISSUER }),
      unknownKey: async (options = {}) => {
        const { kid, key } = await this.#stray()
        const jwt = new SignJWT(this.#claims(options)).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        return withExpiry(jwt, options).sign(key)
      },
      tampered: async (options, patch = { sub: 'auth0|attacker', permissions: ['*'] }) => {
        const token = await this.token(options)
        const [header, , signature] = token.split('.')
        const changed = Buffer.from(JSON.stringify({ ...decodeJwt(token), ...patch })).toString('base64url')
        return `${header}.${changed}.${signature}`
      },
      algNone: async (options = {}) => withExpiry(new UnsecuredJWT(this.#claims(options)), options).encode(),
    }
  }

  /** A key of no tenant, made once per tenant. */
  #stray(): Promise<{ kid: string; key: CryptoKey }> {
    this.#strayKey ??= generateTenantKey().then(async ({ kid, privateJwk }) => ({
      kid,
      key: (await importJWK(privateJwk, 'RS256')) as CryptoKey,
    }))
    return this.#strayKey
  }

  /** Verifies an access token with the tenant's own JWKS, as its `/userinfo` does. */
  async #verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks), {
      issuer: this.issuer,
      audience: [this.audience, this.userinfoEndpoint],
      algorithms: ['RS256'],
    })
    return payload
  }

  #createHandlers(): HttpHandler[] {
    return [
      ...getAndHead(this.jwksUri, () => HttpResponse.json(this.jwks as JsonBodyType)),
      ...getAndHead(this.openidConfigurationUri, () => HttpResponse.json(this.#openidConfiguration())),
      http.post(this.tokenEndpoint, ({ request }) => this.#tokenEndpoint(request)),
      ...getAndHead(this.userinfoEndpoint, (request) => this.#userinfo(request)),
    ]
  }

  #openidConfiguration(): JsonBodyType {
    return {
      issuer: this.issuer,
      authorization_endpoint: this.authorizationEndpoint,
      token_endpoint: this.tokenEndpoint,
      userinfo_endpoint: this.userinfoEndpoint,
      jwks_uri: this.jwksUri,
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      // Only what the mock serves: /authorize is advertised (OIDC requires it) but not implemented.
      grant_types_supported: ['client_credentials'],
      claims_supported: [
        'aud',
        'email',
        'email_verified',
        'exp',
        'iat',
        'iss',
        'name',
        'nickname',
        'picture',
        'sub',
      ],
    }
  }

  async #tokenEndpoint(request: Request): Promise<Response> {
    const params = await readParams(request)
    if (!params) return oauthError(400, 'invalid_request', 'The request body is neither a form nor JSON')
    const grantType = params.get('grant_type')
    if (!grantType) return oauthError(400, 'invalid_request', 'Missing required parameter: grant_type')
    if (grantType !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`)
    }

    const basic = basicCredentials(request)
    const clientId = basic?.clientId ?? params.get('client_id')
    const clientSecret = basic?.clientSecret ?? params.get('client_secret')
    const client = this.#state.clients.find((candidate) => candidate.clientId === clientId)
    if (!client || client.clientSecret !== clientSecret) {
      return oauthError(401, 'access_denied', 'Unauthorized')
    }

    const audience = params.get('audience') ?? this.audience
    if (audience !== this.audience) {
      return oauthError(403, 'access_denied', `Service not enabled within domain: ${audience}`)
    }

    // Like Auth0: the scopes asked for that the client was granted; all granted ones when none is asked for.
    const granted = client.scope === undefined ? undefined : words(client.scope)
    const requested = params.has('scope') ? words(params.get('scope') ?? '') : undefined
    const scope = (
      granted === undefined
        ? (requested ?? [])
        : (requested?.filter((word) => granted.includes(word)) ?? granted)
    ).join(' ')
    const accessToken = await this.token({
      sub: `${client.clientId}@clients`,
      audience,
      expiresIn: DEFAULT_EXPIRES_IN,
      ...(scope ? { scope } : {}),
      claims: { azp: client.clientId, gty: 'client-credentials' },
    })
    return HttpResponse.json(
      {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: DEFAULT_EXPIRES_IN,
        ...(scope ? { scope } : {}),
      },
      { headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } },
    )
  }

  async #userinfo(request: Request): Promise<Response> {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')
    if (!match?.[1]) return invalidToken('Missing Bearer access token')
    let payload: JWTPayload
    try {
      payload = await this.#verify(match[1])
    } catch (error) {
      return invalidToken(error instanceof Error ? error.message : String(error))
    }
    if (payload.gty === 'client-credentials') return invalidToken('A client-credentials token has no user')
    const user = this.#state.users.find((candidate) => candidate.sub === payload.sub)
    if (!user) return invalidToken(`No user ${payload.sub} in this tenant`)
    return HttpResponse.json(user as JsonBodyType)
  }
}

/** A tenant with a new state: `createMockTenant({ issuer: 'https://testbed.auth0.com/', audience })`. */
export function createMockTenant(options: CreateTenantStateOptions): Promise<MockTenant> {
  return MockTenant.create(options)
}

function checkState(state: TenantState): TenantState {
  state.issuer = normalizeIssuer(state.issuer)
  if (!state.keys.some((key) => !key.retired))
    throw new Error('a tenant state needs a key that is not retired')
  return state
}

/** A GET endpoint, and HEAD on it: the same status and headers, no body (RFC 9110 §9.3.2), as Auth0 answers. */
function getAndHead(url: string, answer: (request: Request) => Response | Promise<Response>): HttpHandler[] {
  return [
    http.get(url, ({ request }) => answer(request)),
    http.head(url, async ({ request }) => {
      const { status, headers } = await answer(request)
      return new HttpResponse(null, { status, headers })
    }),
  ]
}

function withExpiry<T extends SignJWT | UnsecuredJWT>(jwt: T, options: TokenOptions): T {
  if (typeof options.expiresIn === 'string' && options.claims?.exp === undefined) {
    jwt.setExpirationTime(options.expiresIn)
  }
  return jwt
}

function words(value: string): string[] {
  return value.split(/\s+/).filter(Boolean)
}

async function readParams(request: Request): Promise<URLSearchParams | undefined> {
  const text = await request.text()
  if (!(request.headers.get('content-type') ?? '').includes('json')) return new URLSearchParams(text)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(body)) {
    if (value !== undefined && value !== null) params.set(name, String(value))
  }
  return params
}

function basicCredentials(request: Request): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')
  if (!match?.[1]) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replaceAll('+', ' '))
    } catch {
      return part
    }
  }
  return { clientId: decode(decoded.slice(0, colon)), clientSecret: decode(decoded.slice(colon + 1)) }
}

function oauthError(status: number, error: string, description: string): Response {
  return HttpResponse.json(
    { error, error_description: description },
    { status, headers: { 'Cache-Control': 'no-store' } },
  )
}

function invalidToken(description: string): Response {
  const quoted = description.replaceAll('\\', '\\\\').replaceAll('"', '\\"')
  return HttpResponse.json(
    { error: 'invalid_token', error_description: description },
    {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${quoted}"` },
    },
  )
}
