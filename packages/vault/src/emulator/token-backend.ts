// auth/token/lookup-self for the one token dev mode has: the root token. The token store's other paths
// answer 501: the emulator accepts only the root token, so it cannot create, renew or revoke one.
import { randomBytes } from 'node:crypto'
import { dispatch, type EngineRequest, notEmulatedRoutes, type Route, type SecretsEngine } from './engine.js'
import { ok, type VaultResponse } from './responses.js'

const MOUNT_TYPE = 'token'

/** The token store's paths in Vault 1.18 (vault/token_store.go) besides lookup-self. */
const NOT_EMULATED_TOKEN_PATHS = [
  'accessors',
  'create',
  'create-orphan',
  'lookup',
  'lookup-accessor',
  'renew',
  'renew-accessor',
  'renew-self',
  'revoke',
  'revoke-accessor',
  'revoke-orphan',
  'revoke-self',
  'roles',
  'tidy',
]

export class TokenBackend implements SecretsEngine {
  private readonly accessor = randomBytes(18).toString('base64url').slice(0, 24)
  private readonly created = Math.floor(Date.now() / 1000)
  private readonly routes: Route[] = [
    { pattern: /^lookup-self$/, read: () => this.lookupSelf(), update: () => this.lookupSelf() },
    ...notEmulatedRoutes(
      NOT_EMULATED_TOKEN_PATHS.map((name) => [`${name}(?:/.*)?`, `the token store's auth/token/${name}`]),
    ),
  ]

  constructor(private readonly rootToken: string) {}

  handle(request: EngineRequest): VaultResponse {
    return dispatch(this.routes, request)
  }

  private lookupSelf(): VaultResponse {
    return ok(
      {
        accessor: this.accessor,
        creation_time: this.created,
        creation_ttl: 0,
        display_name: 'root',
        entity_id: '',
        expire_time: null,
        explicit_max_ttl: 0,
        id: this.rootToken,
        meta: null,
        num_uses: 0,
        orphan: true,
        path: 'auth/token/root',
        policies: ['root'],
        ttl: 0,
        type: 'service',
      },
      MOUNT_TYPE,
    )
  }
}
