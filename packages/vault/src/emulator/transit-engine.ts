// The transit secrets engine's HTTP paths (https://developer.hashicorp.com/vault/api-docs/secret/transit):
// keys, encrypt, decrypt, rewrap and datakey, in Vault's wording; transit's other paths answer 501.
import { randomBytes } from 'node:crypto'
import { dispatch, type EngineRequest, notEmulatedRoutes, type Route, type SecretsEngine } from './engine.js'
import { boolField, decodeBase64, durationField, type Fields, intField, stringField } from './fields.js'
import { badRequest, NotEmulated, noContent, notFound, ok, type VaultResponse } from './responses.js'
import { attempt, batchInput, contextSet, type Item, type Result, reply } from './transit-batch.js'
import { isEmulatedKeyType, type KeyType, TransitKey } from './transit-keys.js'

const MOUNT_TYPE = 'transit'
/** framework.GenericNameRegex, as Vault matches a key's name in the path. */
const NAME = String.raw`(\w(?:[\w\-.@]*\w)?)`
const at = (pattern: string) => new RegExp(`^${pattern}$`)

const VAULT_KEY_TYPES = new Set([
  'ecdsa-p256',
  'ecdsa-p384',
  'ecdsa-p521',
  'ed25519',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'hmac',
  'managed_key',
  'aes128-cmac',
  'aes192-cmac',
  'aes256-cmac',
  'ml-dsa',
  'hybrid',
])
const DERIVED_KEYS = 'derived and convergent keys'
const EMULATED_TYPES = 'it emulates the key types aes128-gcm96, aes256-gcm96 and chacha20-poly1305'

/** Transit's paths in Vault 1.18 (builtin/logical/transit/backend.go) that the emulator does not have. */
const NOT_EMULATED_PATHS = notEmulatedRoutes([
  [`keys/${NAME}/(?:import|import_version)`, "transit's key import"],
  ['wrapping_key', "transit's key import"],
  [`keys/${NAME}/trim`, "transit's key trim"],
  [`keys/${NAME}/(?:csr|set-certificate)`, "transit's key certificates"],
  ['(?:export|byok-export)/.*', "transit's key export"],
  [`backup/${NAME}`, "transit's key backup"],
  [`restore(?:/${NAME})?`, "transit's key restore"],
  ['random(?:/.*)?', "transit's random bytes"],
  ['hash(?:/.*)?', "transit's hash"],
  ['hmac/.*', "transit's HMAC"],
  ['sign/.*', "transit's signing"],
  ['verify/.*', "transit's signature and HMAC verification"],
  ['cache-config', "transit's cache configuration"],
  ['config/keys', "transit's keys configuration"],
])

/**
 * `associated_data` (AEAD additional data, Vault 1.13) would be authenticated by Vault; encrypting without
 * it would make a wrong one decrypt here, so it is refused rather than ignored.
 */
function refuseAssociatedData(data: Fields): void {
  const items = Array.isArray(data.batch_input) ? (data.batch_input as unknown[]) : []
  const carries = (fields: unknown) =>
    Boolean(fields && typeof fields === 'object' && (fields as Fields).associated_data)
  if (carries(data) || items.some(carries)) throw new NotEmulated("transit's associated_data (AEAD)")
}

function keyType(type: string, upsert: boolean): KeyType {
  if (isEmulatedKeyType(type)) return type
  if (upsert && type.startsWith('ecdsa-'))
    throw badRequest(`key type ${type} not supported for this operation`)
  if (VAULT_KEY_TYPES.has(type) && (!upsert || type.startsWith('rsa-')))
    throw new NotEmulated(`transit key type ${type}`, EMULATED_TYPES)
  throw badRequest(`unknown key type ${type}`)
}

function autoRotatePeriod(data: Fields): number | undefined {
  const seconds = durationField(data, 'auto_rotate_period')
  if (seconds !== undefined && seconds !== 0 && seconds < 3600)
    throw badRequest('auto rotate period must be 0 to disable or at least an hour')
  return seconds
}

export class TransitEngine implements SecretsEngine {
  private readonly keys = new Map<string, TransitKey>()

  private readonly routes: Route[] = [
    { pattern: /^keys\/?$/, list: () => this.listKeys() },
    {
      pattern: at(`keys/${NAME}`),
      update: (data, [name]) => this.createKey(name as string, data),
      read: (_, [name]) => this.readKey(name as string),
      delete: (_, [name]) => this.deleteKey(name as string),
    },
    { pattern: at(`keys/${NAME}/config`), update: (data, [name]) => this.configureKey(name as string, data) },
    { pattern: at(`keys/${NAME}/rotate`), update: (_, [name]) => this.rotateKey(name as string) },
    { pattern: at(`encrypt/${NAME}`), update: (data, [name]) => this.encrypt(name as string, data) },
    { pattern: at(`decrypt/${NAME}`), update: (data, [name]) => this.decrypt(name as string, data) },
    { pattern: at(`rewrap/${NAME}`), update: (data, [name]) => this.rewrap(name as string, data) },
    {
      pattern: at(`datakey/${NAME}/${NAME}`),
      update: (data, [kind, name]) => this.datakey(kind as string, name as string, data),
    },
    ...NOT_EMULATED_PATHS,
  ]

  handle(request: EngineRequest): VaultResponse {
    return dispatch(this.routes, request)
  }

  private key(name: string): TransitKey {
    const key = this.keys.get(name)
    if (!key) throw badRequest('encryption key not found')
    return key
  }

  private listKeys(): VaultResponse {
    const names = [...this.keys.keys()].sort()
    return names.length ? ok({ keys: names }, MOUNT_TYPE) : notFound()
  }

  private createKey(name: string, data: Fields): VaultResponse {
    const period = autoRotatePeriod(data)
    const derived = boolField(data, 'derived') ?? false
    if (!derived && boolField(data, 'convergent_encryption'))
      throw badRequest('convergent encryption requires derivation to be enabled')
    const type = keyType(stringField(data, 'type') ?? 'aes256-gcm96', false)
    if (derived) throw new NotEmulated(DERIVED_KEYS)
    const existing = this.keys.get(name)
    if (existing) return ok(existing.describe(), MOUNT_TYPE, { warnings: [`key ${name} already existed`] })
    const key = new TransitKey(name, type, {
      exportable: boolField(data, 'exportable'),
      allowPlaintextBackup: boolField(data, 'allow_plaintext_backup'),
      autoRotatePeriod: period,
    })
    this.keys.set(name, key)
    return ok(key.describe(), MOUNT_TYPE)
  }

  private readKey(name: string): VaultResponse {
    const key = this.keys.get(name)
    return key ? ok(key.describe(), MOUNT_TYPE) : notFound()
  }

  private deleteKey(name: string): VaultResponse {
    const key = this.keys.get(name)
    if (!key) throw badRequest(`error deleting policy ${name}: could not delete key; not found`)
    if (!key.deletionAllowed)
      throw badRequest(`error deleting policy ${name}: deletion is not allowed for this key`)
    this.keys.delete(name)
    return noContent()
  }

  /** pathKeysConfigWrite: every check passes before anything changes. */
  private configureKey(name: string, data: Fields): VaultResponse {
    const key = this.keys.get(name)
    if (!key) throw badRequest(`no existing key named ${name} could be found`)
    const warnings: string[] = []
    let minDecryption = key.minDecryptionVersion
    let minEncryption = key.minEncryptionVersion
    const decryption = intField(data, 'min_decryption_version')
    if (decryption !== undefined) {
      if (decryption < 0) throw badRequest('min decryption version cannot be negative')
      const wanted = decryption || 1
      if (decryption === 0)
        warnings.push('since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1')
      if (wanted > key.latestVersion)
        throw badRequest(
          `cannot set min decryption version of ${wanted}, latest key version is ${key.latestVersion}`,
        )
      minDecryption = wanted
    }
    const encryption = intField(data, 'min_encryption_version')
    if (encryption !== undefined) {
      if (encryption < 0) throw badRequest('min encryption version cannot be negative')
      if (encryption > key.latestVersion)
        throw badRequest(
          `cannot set min encryption version of ${encryption}, latest key version is ${key.latestVersion}`,
        )
      minEncryption = encryption
    }
    if (minEncryption > 0 && minEncryption < minDecryption)
      throw badRequest(
        `cannot set min encryption/decryption values; min encryption version of ${minEncryption} must be greater than or equal to min decryption version of ${minDecryption}`,
      )
    const deletionAllowed = boolField(data, 'deletion_allowed')
    const exportable = boolField(data, 'exportable')
    const allowPlaintextBackup = boolField(data, 'allow_plaintext_backup')
    const period = autoRotatePeriod(data)

    key.minDecryptionVersion = minDecryption
    key.minEncryptionVersion = minEncryption
    if (deletionAllowed !== undefined) key.deletionAllowed = deletionAllowed
    if (exportable) key.exportable = true // once set, never unset
    if (allowPlaintextBackup) key.allowPlaintextBackup = true
    if (period !== undefined) key.autoRotatePeriod = period
    return ok(key.describe(), MOUNT_TYPE, { warnings })
  }

  private rotateKey(name: string): VaultResponse {
    const key = this.keys.get(name)
    if (!key) throw badRequest('key not found')
    key.rotate()
    return ok(key.describe(), MOUNT_TYPE)
  }

  /** Encrypting with a key that does not exist creates it (the `create` capability's upsert). */
  private encrypt(name: string, data: Fields): VaultResponse {
    refuseAssociatedData(data)
    const batch = batchInput(data, true)
    if (!batch && data.plaintext === undefined) throw badRequest('missing plaintext to encrypt')
    const items = batch ?? [
      {
        plaintext: stringField(data, 'plaintext'),
        context: stringField(data, 'context'),
        key_version: intField(data, 'key_version'),
      },
    ]
    const withContext = contextSet(items)
    const invalid = items.map((item) => {
      const plaintext = decodeBase64(item.plaintext ?? '')
      if ('error' in plaintext) return plaintext.error
      const context = item.context ? decodeBase64(item.context) : undefined
      return context && 'error' in context ? context.error : undefined
    })

    let key = this.keys.get(name)
    if (!key) {
      if (boolField(data, 'convergent_encryption') && !withContext)
        throw badRequest('convergent encryption requires derivation to be enabled, so context is required')
      const type = keyType(stringField(data, 'type') ?? 'aes256-gcm96', true)
      if (withContext) throw new NotEmulated(DERIVED_KEYS)
      key = new TransitKey(name, type)
      this.keys.set(name, key)
    }
    const ring = key
    const results = items.map((item, i) =>
      attempt(() => {
        if (invalid[i]) throw badRequest(invalid[i])
        const { ciphertext, keyVersion } = ring.encrypt(item.plaintext ?? '', item.key_version ?? 0)
        return { ciphertext, key_version: keyVersion }
      }),
    )
    return reply(data, batch, results, (r) => ({
      ciphertext: r.ciphertext,
      key_version: r.key_version,
    }))
  }

  /**
   * The ciphertexts a decrypt or rewrap names (its `batch_input`, or the one of `single()`, the body's
   * own fields), each given to `work` with the key; an item's failure stays in its result.
   */
  private eachCiphertext(
    name: string,
    data: Fields,
    single: () => Item,
    work: (key: TransitKey, ciphertext: string, item: Item) => Result,
  ): { batch: Item[] | undefined; results: Result[] } {
    refuseAssociatedData(data)
    const batch = batchInput(data, false)
    const items = batch ?? [single()]
    if (!batch && !items[0]?.ciphertext) throw badRequest('missing ciphertext to decrypt')
    contextSet(items)
    const key = this.key(name)
    const results = items.map((item) =>
      attempt(() => {
        if (!item.ciphertext) throw badRequest('missing ciphertext to decrypt')
        return work(key, item.ciphertext, item)
      }),
    )
    return { batch, results }
  }

  private decrypt(name: string, data: Fields): VaultResponse {
    const { batch, results } = this.eachCiphertext(
      name,
      data,
      () => ({ ciphertext: stringField(data, 'ciphertext'), context: stringField(data, 'context') }),
      (key, ciphertext) => ({ plaintext: key.decrypt(ciphertext) }),
    )
    return reply(data, batch, results, (r) => ({ plaintext: r.plaintext }))
  }

  /** Decrypt and encrypt again with the latest version (or `key_version`); never returns plaintext. */
  private rewrap(name: string, data: Fields): VaultResponse {
    const { batch, results } = this.eachCiphertext(
      name,
      data,
      () => ({
        ciphertext: stringField(data, 'ciphertext'),
        context: stringField(data, 'context'),
        key_version: intField(data, 'key_version'),
      }),
      (key, ciphertext, item) => {
        const { ciphertext: rewrapped, keyVersion } = key.encrypt(
          key.decrypt(ciphertext),
          item.key_version ?? 0,
        )
        return { ciphertext: rewrapped, key_version: keyVersion }
      },
    )
    // Vault's rewrap answers 200 even when items failed (no batchRequestResponse there).
    return reply(
      data,
      batch,
      results,
      (r) => ({ ciphertext: r.ciphertext, key_version: r.key_version }),
      false,
    )
  }

  private datakey(kind: string, name: string, data: Fields): VaultResponse {
    if (kind !== 'plaintext' && kind !== 'wrapped')
      throw badRequest("Invalid path, must be 'plaintext' or 'wrapped'")
    const context = stringField(data, 'context')
    if (context && 'error' in decodeBase64(context)) throw badRequest('failed to base64-decode context')
    const key = this.key(name)
    const bytes = { 128: 16, 256: 32, 512: 64 }[intField(data, 'bits') ?? 256]
    if (!bytes) throw badRequest('invalid bit length')
    const secret = randomBytes(bytes).toString('base64')
    const { ciphertext, keyVersion } = key.encrypt(secret, intField(data, 'key_version') ?? 0)
    return ok(
      { ciphertext, key_version: keyVersion, ...(kind === 'plaintext' ? { plaintext: secret } : {}) },
      MOUNT_TYPE,
    )
  }
}
