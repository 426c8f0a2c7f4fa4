// The versioned key/value secrets engine (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2):
// data (read, write, patch, delete), metadata, delete/undelete/destroy and config, as
// hashicorp/vault-plugin-secrets-kv answers them; metadata patch and subkeys answer 501.
import {
  dispatch,
  type EngineRequest,
  notEmulated,
  notEmulatedRoutes,
  type Route,
  type SecretsEngine,
} from './engine.js'
import { boolField, durationField, type Fields, formatDuration, intField, mapField } from './fields.js'
import { badRequest, coded, noContent, notFound, ok, type VaultResponse } from './responses.js'

const MOUNT_TYPE = 'kv'
const DEFAULT_MAX_VERSIONS = 10

interface Version {
  data: Fields | null
  created: string
  deleted: string
  destroyed: boolean
}

interface Secret {
  versions: Map<number, Version>
  currentVersion: number
  oldestVersion: number
  created: string
  updated: string
  maxVersions: number
  casRequired: boolean
  deleteVersionAfter: number
  customMetadata: Record<string, string> | null
}

const now = () => new Date().toISOString()

function versionsField(data: Fields): number[] {
  const raw = data.versions
  const list = Array.isArray(raw)
    ? raw
    : typeof raw === 'string'
      ? raw.split(',')
      : raw === undefined
        ? []
        : [raw]
  const versions = list.map((v) => intField({ versions: v }, 'versions') as number)
  if (versions.length === 0) throw badRequest('no version number provided')
  return versions
}

const isObject = (value: unknown): value is Fields =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** RFC 7386 JSON merge patch: objects merge key by key, `null` removes a key, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  const result: Fields = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

/** kv-v2's answer for a path outside its API: 404 with a warning pointing at `vault kv`. */
function invalidPath(request: EngineRequest): VaultResponse {
  const command = { read: 'get', list: 'list', update: 'put', delete: 'delete', patch: 'patch' }[
    request.operation
  ]
  return coded(404, null, [
    `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${command}' for this operation.`,
  ])
}

export class KvEngine implements SecretsEngine {
  private readonly secrets = new Map<string, Secret>()
  private readonly config = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 }

  private readonly routes: Route[] = [
    { pattern: /^config$/, read: () => this.readConfig(), update: (data) => this.writeConfig(data) },
    {
      pattern: /^data\/(.*[^/])$/,
      read: (data, [path]) => this.read(path as string, data),
      update: (data, [path]) => this.write(path as string, data),
      delete: (_, [path]) => this.deleteLatest(path as string),
      patch: (data, [path]) => this.patch(path as string, data),
    },
    { pattern: /^delete\/(.*[^/])$/, update: (data, [path]) => this.mark(path as string, data, 'delete') },
    {
      pattern: /^undelete\/(.*[^/])$/,
      update: (data, [path]) => this.mark(path as string, data, 'undelete'),
    },
    { pattern: /^destroy\/(.*[^/])$/, update: (data, [path]) => this.mark(path as string, data, 'destroy') },
    {
      pattern: /^metadata(?:\/(.*))?$/,
      read: (_, [path = '']) => this.readMetadata(path),
      list: (_, [path = '']) => this.list(path),
      update: (data, [path = '']) => this.writeMetadata(path, data),
      delete: (_, [path = '']) => this.deleteMetadata(path),
      patch: notEmulated("kv-v2's metadata patch"),
    },
    ...notEmulatedRoutes([['subkeys/.*', "kv-v2's subkeys"]]),
  ]

  handle(request: EngineRequest): VaultResponse {
    return dispatch(this.routes, request, invalidPath)
  }

  private readConfig(): VaultResponse {
    const { casRequired, deleteVersionAfter, maxVersions } = this.config
    return ok(
      {
        cas_required: casRequired,
        delete_version_after: formatDuration(deleteVersionAfter),
        max_versions: maxVersions,
      },
      MOUNT_TYPE,
    )
  }

  private writeConfig(data: Fields): VaultResponse {
    this.config.maxVersions = intField(data, 'max_versions') ?? this.config.maxVersions
    this.config.casRequired = boolField(data, 'cas_required') ?? this.config.casRequired
    this.config.deleteVersionAfter =
      durationField(data, 'delete_version_after') ?? this.config.deleteVersionAfter
    return noContent()
  }

  private versionMetadata(secret: Secret, number: number, version: Version) {
    return {
      created_time: version.created,
      custom_metadata: secret.customMetadata,
      deletion_time: version.deleted,
      destroyed: version.destroyed,
      version: number,
    }
  }

  /** 404 `{"errors":[]}` when nothing is there; 404 with the metadata when the version is deleted or destroyed. */
  private read(path: string, data: Fields): VaultResponse {
    const secret = this.secrets.get(path)
    if (!secret) return notFound()
    const number =
      (intField(data, 'version') ?? 0) > 0 ? (intField(data, 'version') as number) : secret.currentVersion
    const version = secret.versions.get(number)
    if (!version) return notFound()
    const metadata = this.versionMetadata(secret, number, version)
    if (version.deleted || version.destroyed || !version.data) return coded(404, { data: null, metadata })
    return ok({ data: structuredClone(version.data), metadata }, MOUNT_TYPE)
  }

  private write(path: string, data: Fields): VaultResponse {
    if (data.data === undefined) throw badRequest('no data provided')
    const value = mapField(data, 'data') ?? {}
    const secret = this.secrets.get(path) ?? this.emptySecret()
    this.checkAndSet(secret, data)
    return this.addVersion(path, secret, value)
  }

  /**
   * pathDataPatch: a JSON merge patch (RFC 7386) of `data` over the latest version's data, written as a
   * new version. 404 when there is no secret or its latest version is deleted or destroyed (with that
   * version's metadata); check-and-set as for a write, checked before the latest version is looked at.
   */
  private patch(path: string, data: Fields): VaultResponse {
    if (data.data === undefined) throw badRequest('no data provided')
    const patch = mapField(data, 'data') ?? {}
    const secret = this.secrets.get(path)
    if (!secret) return notFound()
    this.checkAndSet(secret, data)
    const latest = secret.versions.get(secret.currentVersion)
    if (!latest) return notFound()
    if (latest.deleted || latest.destroyed || !latest.data)
      return coded(404, this.versionMetadata(secret, secret.currentVersion, latest))
    return this.addVersion(path, secret, mergePatch(latest.data, patch) as Fields)
  }

  /** validateCheckAndSetOption: `options.cas` must be the current version; required where cas_required is set. */
  private checkAndSet(secret: Secret, data: Fields): void {
    const options = mapField(data, 'options')
    if (options && options.cas !== undefined) {
      let cas: number | undefined
      try {
        cas = intField(options, 'cas')
      } catch {
        throw badRequest('error parsing check-and-set parameter')
      }
      if (cas !== secret.currentVersion)
        throw badRequest('check-and-set parameter did not match the current version')
    } else if (this.config.casRequired || secret.casRequired) {
      throw badRequest('check-and-set parameter required for this call')
    }
  }

  /** The write's answer: the new version's metadata. */
  private addVersion(path: string, secret: Secret, value: Fields): VaultResponse {
    const created = now()
    const version: Version = { data: structuredClone(value), created, deleted: '', destroyed: false }
    secret.currentVersion += 1
    secret.versions.set(secret.currentVersion, version)
    secret.updated = created
    if (!secret.created) secret.created = created
    this.secrets.set(path, secret)
    this.prune(secret)
    return ok(this.versionMetadata(secret, secret.currentVersion, version), MOUNT_TYPE)
  }

  /** KeyMetadata.AddVersion: past max_versions, the oldest versions go for good. */
  private prune(secret: Secret): void {
    const max = secret.maxVersions || this.config.maxVersions || DEFAULT_MAX_VERSIONS
    if (secret.versions.size <= max) return
    const keepFrom = secret.currentVersion - max + 1
    for (const number of secret.versions.keys()) if (number < keepFrom) secret.versions.delete(number)
    secret.oldestVersion = keepFrom
  }

  private emptySecret(): Secret {
    return {
      versions: new Map(),
      currentVersion: 0,
      oldestVersion: 0,
      created: '',
      updated: '',
      maxVersions: 0,
      casRequired: false,
      deleteVersionAfter: 0,
      customMetadata: null,
    }
  }

  /** Soft-deletes the latest version; nothing to delete is not an error. */
  private deleteLatest(path: string): VaultResponse {
    const secret = this.secrets.get(path)
    const latest = secret?.versions.get(secret.currentVersion)
    if (latest && !latest.destroyed && !latest.deleted) latest.deleted = now()
    return noContent()
  }

  private mark(path: string, data: Fields, action: 'delete' | 'undelete' | 'destroy'): VaultResponse {
    const numbers = versionsField(data)
    const secret = this.secrets.get(path)
    for (const number of numbers) {
      const version = secret?.versions.get(number)
      if (!version || version.destroyed) continue
      if (action === 'delete' && !version.deleted) version.deleted = now()
      if (action === 'undelete') version.deleted = ''
      if (action === 'destroy') Object.assign(version, { destroyed: true, data: null })
    }
    return noContent()
  }

  private readMetadata(path: string): VaultResponse {
    const secret = this.secrets.get(path)
    if (!secret) return notFound()
    const versions: Record<string, unknown> = {}
    for (const [number, v] of secret.versions) {
      versions[number] = { created_time: v.created, deletion_time: v.deleted, destroyed: v.destroyed }
    }
    return ok(
      {
        cas_required: secret.casRequired,
        created_time: secret.created,
        current_version: secret.currentVersion,
        custom_metadata: secret.customMetadata,
        delete_version_after: formatDuration(secret.deleteVersionAfter),
        max_versions: secret.maxVersions,
        oldest_version: secret.oldestVersion,
        updated_time: secret.updated,
        versions,
      },
      MOUNT_TYPE,
    )
  }

  private writeMetadata(path: string, data: Fields): VaultResponse {
    if (!path || path.endsWith('/')) throw badRequest('missing path')
    const custom = mapField(data, 'custom_metadata')
    if (custom && Object.values(custom).some((v) => typeof v !== 'string'))
      throw badRequest('custom_metadata values must be strings')
    const secret = this.secrets.get(path) ?? this.emptySecret()
    secret.maxVersions = intField(data, 'max_versions') ?? secret.maxVersions
    secret.casRequired = boolField(data, 'cas_required') ?? secret.casRequired
    secret.deleteVersionAfter = durationField(data, 'delete_version_after') ?? secret.deleteVersionAfter
    if (custom) secret.customMetadata = custom as Record<string, string>
    if (!secret.created) secret.created = secret.updated = now()
    this.secrets.set(path, secret)
    return noContent()
  }

  private deleteMetadata(path: string): VaultResponse {
    this.secrets.delete(path)
    return noContent()
  }

  /** The keys right below `prefix`: secrets by name, folders with a trailing `/`. */
  private list(prefix: string): VaultResponse {
    const keys = new Set<string>()
    for (const path of this.secrets.keys()) {
      if (!path.startsWith(prefix)) continue
      const rest = path.slice(prefix.length)
      const slash = rest.indexOf('/')
      keys.add(slash < 0 ? rest : rest.slice(0, slash + 1))
    }
    return keys.size ? ok({ keys: [...keys].sort() }, MOUNT_TYPE) : notFound()
  }
}
