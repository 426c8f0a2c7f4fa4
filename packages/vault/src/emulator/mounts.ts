// The mount table: dev mode's default mounts, `sys/mounts` enable/disable, and the router's lookup.
import { randomBytes, randomUUID } from 'node:crypto'
import type { SecretsEngine } from './engine.js'
import { type Fields, mapField, stringField } from './fields.js'
import { KvEngine } from './kv-engine.js'
import { badRequest, NotEmulated } from './responses.js'
import { TransitEngine } from './transit-engine.js'
import { VAULT_VERSION_CORE } from './version.js'

export interface MountEntry {
  /** With its trailing slash, as Vault keys its mount table: `secret/`, `transit/`, `kv/team-a/`. */
  path: string
  type: string
  description: string
  local: boolean
  options: Record<string, string> | null
  accessor: string
  uuid: string
  /** The engine serving the mount; dev mode's cubbyhole/ and identity/ are listed but not emulated. */
  engine?: SecretsEngine
}

/** Secrets engines Vault ships that the emulator does not emulate: 501 naming them rather than Vault's "not found". */
const VAULT_BUILTIN_TYPES = new Set(
  'ad alicloud aws azure consul database gcp gcpkms kmip kubernetes ldap mongodbatlas nomad openldap pki rabbitmq ssh terraform totp'.split(
    ' ',
  ),
)
const PROTECTED = ['audit/', 'auth/', 'sys/', 'cubbyhole/', 'identity/']
const EMULATED_ENGINES = 'it emulates the transit and kv version 2 secrets engines'

/** `/foo` and `foo` both name the mount `foo/`. */
export const mountPath = (path: string): string => `${path.replace(/^\/+/, '').replace(/\/+$/, '')}/`

export class MountTable {
  private readonly entries = new Map<string, MountEntry>()

  constructor() {
    this.add('cubbyhole/', 'cubbyhole', 'per-token private secret storage', { local: true })
    this.add('identity/', 'identity', 'identity store')
    this.add('secret/', 'kv', 'key/value secret storage', {
      options: { version: '2' },
      engine: new KvEngine(),
    })
    this.add('sys/', 'system', 'system endpoints used for control, policy and debugging')
  }

  private add(
    path: string,
    type: string,
    description: string,
    extra: Partial<Pick<MountEntry, 'local' | 'options' | 'engine'>> = {},
  ): void {
    this.entries.set(path, {
      path,
      type,
      description,
      local: extra.local ?? false,
      options: extra.options ?? null,
      accessor: `${type}_${randomBytes(4).toString('hex')}`,
      uuid: randomUUID(),
      engine: extra.engine,
    })
  }

  /** Vault's router: the longest mount that prefixes `path` (and `transit` finds `transit/`). */
  route(path: string): { entry: MountEntry; rest: string } | undefined {
    let best: MountEntry | undefined
    for (const candidate of [path, `${path}/`]) {
      for (const entry of this.entries.values()) {
        if (candidate.startsWith(entry.path) && entry.path.length > (best?.path.length ?? 0)) best = entry
      }
      if (best) return { entry: best, rest: candidate.slice(best.path.length) }
    }
    return undefined
  }

  get(path: string): MountEntry | undefined {
    return this.entries.get(mountPath(path))
  }

  all(): MountEntry[] {
    return [...this.entries.values()]
  }

  /** POST sys/mounts/:path (handleMount, then core.mount's checks). */
  enable(rawPath: string, data: Fields): void {
    const path = mountPath(rawPath)
    let type = stringField(data, 'type') ?? ''
    if (!type) throw badRequest('backend type must be specified as a string')
    const rawOptions = mapField(data, 'options') ?? {}
    const options: Record<string, string> = {}
    for (const [key, value] of Object.entries(rawOptions)) options[key] = String(value)
    if (type === 'kv-v1' || type === 'kv-v2') {
      options.version = type.slice(-1)
      type = 'kv'
    } else if (type !== 'kv' && options.version) {
      throw badRequest(`secrets engine "${type}" does not allow setting a version`)
    }
    if (PROTECTED.some((p) => path.startsWith(p))) throw badRequest(`cannot mount "${path}"`)
    for (const existing of this.entries.keys()) {
      if (existing.startsWith(path) || path.startsWith(existing))
        throw badRequest(`path is already in use at ${existing}`)
    }
    const description = stringField(data, 'description') ?? ''
    const hasOptions = Object.keys(options).length > 0
    if (type === 'transit') {
      this.add(path, type, description, { engine: new TransitEngine(), options: hasOptions ? options : null })
    } else if (type === 'kv') {
      if (options.version !== '2')
        throw new NotEmulated(
          'kv version 1',
          'it emulates kv version 2: mount type "kv-v2", or type "kv" with options {"version": "2"}',
        )
      this.add(path, type, description, { engine: new KvEngine(), options })
    } else if (VAULT_BUILTIN_TYPES.has(type)) {
      throw new NotEmulated(`the ${type} secrets engine`, EMULATED_ENGINES)
    } else {
      throw badRequest(`plugin not found in the catalog: ${type}`)
    }
  }

  /** DELETE sys/mounts/:path: success whether or not something was mounted there, as Vault answers. */
  disable(rawPath: string): void {
    const path = mountPath(rawPath)
    if (PROTECTED.some((p) => path.startsWith(p))) throw badRequest(`cannot unmount "${path}"`)
    this.entries.delete(path)
  }

  /** A mount as `GET sys/mounts` shows it (mountInfo in Vault's logical_system.go). */
  static info(entry: MountEntry): Record<string, unknown> {
    const builtinVersion = entry.type === 'kv' ? 'v0.20.0+builtin' : `v${VAULT_VERSION_CORE}+builtin.vault`
    return {
      accessor: entry.accessor,
      config: {
        default_lease_ttl: 0,
        force_no_cache: false,
        max_lease_ttl: 0,
        ...(entry.type === 'system' ? { passthrough_request_headers: ['Accept'] } : {}),
      },
      description: entry.description,
      external_entropy_access: false,
      local: entry.local,
      options: entry.options,
      plugin_version: '',
      running_plugin_version: builtinVersion,
      running_sha256: '',
      seal_wrap: false,
      type: entry.type,
      uuid: entry.uuid,
    }
  }
}
