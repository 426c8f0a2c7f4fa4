// A transit key ring: versions of a random symmetric key, and Vault's ciphertext format
// `vault:v<N>:<base64(nonce(12) || ciphertext || tag(16))>` (keysutil.Policy in Vault's sdk).
import { type CipherGCMTypes, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { decodeBase64 } from './fields.js'
import { badRequest } from './responses.js'

export type KeyType = 'aes128-gcm96' | 'aes256-gcm96' | 'chacha20-poly1305'

const CIPHERS: Record<KeyType, { cipher: CipherGCMTypes | 'chacha20-poly1305'; keyBytes: number }> = {
  'aes128-gcm96': { cipher: 'aes-128-gcm', keyBytes: 16 },
  'aes256-gcm96': { cipher: 'aes-256-gcm', keyBytes: 32 },
  'chacha20-poly1305': { cipher: 'chacha20-poly1305', keyBytes: 32 },
}
export const isEmulatedKeyType = (type: string): type is KeyType => Object.hasOwn(CIPHERS, type)

const NONCE_BYTES = 12
const TAG_BYTES = 16
const PREFIX = 'vault:v'

export const TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)'

export interface KeyOptions {
  exportable?: boolean
  allowPlaintextBackup?: boolean
  autoRotatePeriod?: number
}

interface KeyVersion {
  key: Buffer
  /** Unix seconds, as Vault reports a version's creation in `keys`. */
  created: number
}

export class TransitKey {
  readonly versions = new Map<number, KeyVersion>()
  latestVersion = 0
  minDecryptionVersion = 1
  minEncryptionVersion = 0
  deletionAllowed = false
  exportable: boolean
  allowPlaintextBackup: boolean
  autoRotatePeriod: number

  constructor(
    readonly name: string,
    readonly type: KeyType,
    options: KeyOptions = {},
  ) {
    this.exportable = options.exportable ?? false
    this.allowPlaintextBackup = options.allowPlaintextBackup ?? false
    this.autoRotatePeriod = options.autoRotatePeriod ?? 0
    this.rotate()
  }

  rotate(): void {
    this.latestVersion += 1
    this.versions.set(this.latestVersion, {
      key: randomBytes(CIPHERS[this.type].keyBytes),
      created: Math.floor(Date.now() / 1000),
    })
  }

  /** Vault keeps versions below min_decryption_version archived, out of the key ring it uses. */
  private keyFor(version: number): Buffer {
    const entry = version >= this.minDecryptionVersion ? this.versions.get(version) : undefined
    if (!entry) throw badRequest('no such key version')
    return entry.key
  }

  /** `plaintext` is base64; `version` 0 means the latest. */
  encrypt(plaintext: string, version = 0): { ciphertext: string; keyVersion: number } {
    const decoded = decodeBase64(plaintext)
    if ('error' in decoded) throw badRequest(decoded.error)
    if (version < 0) throw badRequest('requested version for encryption is negative')
    if (version > this.latestVersion)
      throw badRequest('requested version for encryption is higher than the latest key version')
    if (version !== 0 && version < this.minEncryptionVersion)
      throw badRequest('requested version for encryption is less than the minimum encryption key version')
    const keyVersion = version || this.latestVersion
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv(
      CIPHERS[this.type].cipher as CipherGCMTypes,
      this.keyFor(keyVersion),
      nonce,
      {
        authTagLength: TAG_BYTES,
      },
    )
    const sealed = Buffer.concat([nonce, cipher.update(decoded), cipher.final(), cipher.getAuthTag()])
    return { ciphertext: `${PREFIX}${keyVersion}:${sealed.toString('base64')}`, keyVersion }
  }

  /** The base64 plaintext of a `vault:v<N>:...` ciphertext made with this key. */
  decrypt(ciphertext: string): string {
    if (!ciphertext.startsWith(PREFIX)) throw badRequest('invalid ciphertext: no prefix')
    const rest = ciphertext.slice(PREFIX.length)
    const colon = rest.indexOf(':')
    if (colon < 0) throw badRequest('invalid ciphertext: wrong number of fields')
    const versionText = rest.slice(0, colon)
    if (!/^[+-]?\d+$/.test(versionText))
      throw badRequest('invalid ciphertext: version number could not be decoded')
    const version = Number(versionText) || 1 // version 0: the first key, as Vault's compatibility mode
    if (version > this.latestVersion) throw badRequest('invalid ciphertext: version is too new')
    if (version < this.minDecryptionVersion) throw badRequest(TOO_OLD)
    const sealed = decodeBase64(rest.slice(colon + 1))
    if ('error' in sealed) throw badRequest('invalid ciphertext: could not decode base64')
    const key = this.keyFor(version)
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw badRequest('cipher: message authentication failed')
    const decipher = createDecipheriv(
      CIPHERS[this.type].cipher as CipherGCMTypes,
      key,
      sealed.subarray(0, NONCE_BYTES),
      { authTagLength: TAG_BYTES },
    )
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    try {
      const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('base64')
    } catch {
      throw badRequest('cipher: message authentication failed')
    }
  }

  /** The key as `GET keys/:name` shows it (formatKeyPolicy in Vault's transit backend). */
  describe(): Record<string, unknown> {
    const keys: Record<string, number> = {}
    for (const [version, { created }] of this.versions) {
      if (version >= this.minDecryptionVersion) keys[version] = created
    }
    return {
      allow_plaintext_backup: this.allowPlaintextBackup,
      auto_rotate_period: this.autoRotatePeriod,
      deletion_allowed: this.deletionAllowed,
      derived: false,
      exportable: this.exportable,
      imported_key: false,
      keys,
      latest_version: this.latestVersion,
      min_available_version: 0,
      min_decryption_version: this.minDecryptionVersion,
      min_encryption_version: this.minEncryptionVersion,
      name: this.name,
      supports_decryption: true,
      supports_derivation: true,
      supports_encryption: true,
      supports_signing: false,
      type: this.type,
    }
  }
}
