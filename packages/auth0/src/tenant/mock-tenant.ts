import type { JSONWebKeySet, JWTPayload } from 'jose'
import type { HttpHandler } from 'msw'
import { type BadTokens, createBadTokens } from './bad-tokens.js'
import { tenantHandlers } from './oauth-server.js'
import { SigningKeys } from './signing-keys.js'
import {
  type CreateTenantStateOptions,
  checkTenantState,
  createTenantState,
  type TenantClient,
  type TenantState,
  type TenantUser,
} from './tenant-state.js'
import { signToken, type TokenOptions, tokenClaims } from './tokens.js'

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
  readonly #keys = new SigningKeys(() => this.#state)

  /** A tenant with a new state (fresh key pair, default client and user unless given). */
  static async create(options: CreateTenantStateOptions): Promise<MockTenant> {
    return new MockTenant(await createTenantState(options))
  }

  constructor(state: TenantState) {
    this.#state = checkTenantState(structuredClone(state))
    this.issuer = this.#state.issuer
    this.domain = new URL(this.issuer).host
    this.jwksUri = `${this.issuer}.well-known/jwks.json`
    this.openidConfigurationUri = `${this.issuer}.well-known/openid-configuration`
    this.tokenEndpoint = `${this.issuer}oauth/token`
    this.userinfoEndpoint = `${this.issuer}userinfo`
    this.authorizationEndpoint = `${this.issuer}authorize`
    this.handlers = tenantHandlers(this, () => this.#state)
    this.badTokens = createBadTokens({
      token: (options) => this.token(options),
      claims: (options) => this.#claims(options),
    })
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
    return this.#keys.current().kid
  }

  /** The JWKS as served: public keys of the keys not retired. */
  get jwks(): JSONWebKeySet {
    return this.#keys.jwks()
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
    const next = checkTenantState(structuredClone(state))
    if (next.issuer !== this.issuer) {
      throw new Error(`a tenant's issuer cannot change: ${this.issuer} was given a state for ${next.issuer}`)
    }
    this.#state = next
  }

  /** An RS256 access token signed with the current key, shaped like the ones Auth0 issues for an API. */
  async token(options: TokenOptions = {}): Promise<string> {
    const signer = this.#keys.signer()
    return signToken(this.#claims(options), options, await signer)
  }

  /** Adds a new key, which signs from now on; the previous keys stay in the JWKS so their tokens still verify. */
  async rotateKeys(): Promise<TenantState> {
    await this.#keys.rotate()
    return this.state
  }

  /** Takes every key but the current one out of the JWKS: tokens they signed stop verifying. */
  retireOldKeys(): TenantState {
    this.#keys.retireOld()
    return this.state
  }

  #claims(options: TokenOptions): JWTPayload {
    return tokenClaims(this.#state, options)
  }
}
