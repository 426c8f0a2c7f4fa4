// The system backend's paths the emulator serves: sys/health, sys/init and sys/seal-status
// (unauthenticated, plain objects rather than the envelope), and sys/mounts; its other paths answer 501.
import { dispatch, type EngineRequest, notEmulatedRoutes, type Route, type SecretsEngine } from './engine.js'
import type { Fields } from './fields.js'
import { MountTable } from './mounts.js'
import { badRequest, errorResponse, noContent, ok, type VaultResponse } from './responses.js'
import { VAULT_BUILD_DATE, VAULT_VERSION } from './version.js'

const MOUNT_TYPE = 'system'

/** The system backend's other paths in Vault 1.18 (vault/logical_system_paths.go and the HTTP layer's sys/ handlers). */
const NOT_EMULATED_SYS = [
  'audit',
  'audit-hash',
  'auth',
  'capabilities',
  'capabilities-accessor',
  'capabilities-self',
  'config',
  'decode-token',
  'experiments',
  'generate-recovery-token',
  'generate-root',
  'ha-status',
  'host-info',
  'in-flight-req',
  'internal',
  'key-status',
  'leader',
  'leases',
  'locked-users',
  'loggers',
  'metrics',
  'monitor',
  'plugins',
  'policies',
  'policy',
  'pprof',
  'quotas',
  'raw',
  'rekey',
  'rekey-recovery-key',
  'remount',
  'renew',
  'revoke',
  'revoke-force',
  'revoke-prefix',
  'rotate',
  'seal',
  'step-down',
  'storage',
  'tools',
  'unseal',
  'version-history',
  'wrapping',
]

export interface Cluster {
  name: string
  id: string
}

export class SysBackend implements SecretsEngine {
  private readonly routes: Route[] = [
    { pattern: /^mounts$/, read: () => this.listMounts() },
    { pattern: /^mounts\/.+\/tune$/, notEmulated: 'tuning a mount (sys/mounts/:path/tune)' },
    {
      pattern: /^mounts\/(.+)$/,
      read: (_, [path]) => this.readMount(path as string),
      update: (data, [path]) => this.enable(path as string, data),
      delete: (_, [path]) => this.disable(path as string),
    },
    ...notEmulatedRoutes(NOT_EMULATED_SYS.map((name) => [`${name}(?:/.*)?`, `sys/${name}`])),
  ]

  constructor(
    private readonly mounts: MountTable,
    private readonly cluster: Cluster,
  ) {}

  /**
   * `sys/health`, `sys/init` and `sys/seal-status`, which need no token; `undefined` for every other path. A dev
   * server is always active, so of sys/health's status-code parameters only `activecode` applies.
   */
  unauthenticated(path: string, method: string, query: URLSearchParams): VaultResponse | undefined {
    if (path === 'sys/health') {
      if (method !== 'GET' && method !== 'HEAD') return errorResponse(405, [])
      const code = query.get('activecode')
      const status = code === null ? 200 : /^\d{3}$/.test(code) ? Number(code) : undefined
      if (status === undefined || status < 100) return errorResponse(400, [])
      return method === 'HEAD' ? { status } : { status, body: this.health() }
    }
    if (path === 'sys/init') {
      if (method === 'GET') return { status: 200, body: { initialized: true } }
      if (method === 'POST' || method === 'PUT') return errorResponse(400, ['Vault is already initialized'])
      return errorResponse(405, [])
    }
    if (path === 'sys/seal-status') {
      return method === 'GET' ? { status: 200, body: this.sealStatus() } : errorResponse(405, [])
    }
    return undefined
  }

  handle(request: EngineRequest): VaultResponse {
    return dispatch(this.routes, request)
  }

  private health() {
    return {
      initialized: true,
      sealed: false,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(Date.now() / 1000),
      version: VAULT_VERSION,
      enterprise: false,
      cluster_name: this.cluster.name,
      cluster_id: this.cluster.id,
      echo_duration_ms: 0,
      clock_skew_ms: 0,
      replication_primary_canary_age_ms: 0,
    }
  }

  private sealStatus() {
    return {
      type: 'shamir',
      initialized: true,
      sealed: false,
      t: 1,
      n: 1,
      progress: 0,
      nonce: '',
      version: VAULT_VERSION,
      build_date: VAULT_BUILD_DATE,
      migration: false,
      cluster_name: this.cluster.name,
      cluster_id: this.cluster.id,
      recovery_seal: false,
      storage_type: 'inmem',
    }
  }

  /** Vault answers the mount table both under `data` and at the top level of the body. */
  private listMounts(): VaultResponse {
    const table = Object.fromEntries(this.mounts.all().map((entry) => [entry.path, MountTable.info(entry)]))
    return ok(table, MOUNT_TYPE, { sys: true })
  }

  private readMount(path: string): VaultResponse {
    const found = this.mounts.route(path)
    if (!found) throw badRequest(`No secret engine mount at ${path.replace(/\/?$/, '/')}`)
    return ok(MountTable.info(found.entry), MOUNT_TYPE, { sys: true })
  }

  private enable(path: string, data: Fields): VaultResponse {
    this.mounts.enable(path, data)
    return noContent()
  }

  private disable(path: string): VaultResponse {
    this.mounts.disable(path)
    return noContent()
  }
}
