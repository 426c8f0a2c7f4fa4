import { type CryptoKey, importJWK, type JSONWebKeySet } from 'jose'
import { generateTenantKey, type TenantKey, type TenantState } from './tenant-state.js'

/**
 * A tenant's signing keys, kept in its state: the last key that is not retired signs, every key not
 * retired is in the JWKS. Rotation adds a key; retiring takes the old ones out of the JWKS.
 */
export class SigningKeys {
  readonly #imported = new Map<string, Promise<CryptoKey>>()

  constructor(private readonly state: () => Pick<TenantState, 'issuer' | 'keys'>) {}

  /** The key that signs new tokens. */
  current(): TenantKey {
    const key = this.state().keys.findLast((candidate) => !candidate.retired)
    if (!key) throw new Error(`the tenant ${this.state().issuer} has no active signing key`)
    return key
  }

  /** The current key's kid and its private key, imported once per kid. */
  async signer(): Promise<{ kid: string; key: CryptoKey }> {
    const { kid, privateJwk } = this.current()
    let imported = this.#imported.get(kid)
    if (!imported) {
      imported = importJWK(privateJwk, 'RS256') as Promise<CryptoKey>
      this.#imported.set(kid, imported)
    }
    return { kid, key: await imported }
  }

  /** The JWKS as served: public keys of the keys not retired. */
  jwks(): JSONWebKeySet {
    return {
      keys: this.state()
        .keys.filter((key) => !key.retired)
        .map((key) => ({ ...key.publicJwk })),
    }
  }

  /** Adds a new key, which signs from now on; the previous keys stay in the JWKS. */
  async rotate(): Promise<void> {
    const key = await generateTenantKey()
    this.state().keys.push(key)
  }

  /** Takes every key but the current one out of the JWKS. */
  retireOld(): void {
    const current = this.current()
    for (const key of this.state().keys) if (key !== current) key.retired = true
  }
}
