// The system backend's paths the emulator serves: sys/health and sys/seal-status (unauthenticated, plain
// objects rather than the envelope), and sys/mounts.
import { dispatch, type EngineRequest, type Route, type SecretsEngine } from './engine.js'
import type { Fields } from './fields.js'
import { MountTable } from './mounts.js'
import { badRequest, errorResponse, noContent, ok, type VaultResponse } from './responses.js'
import { VAULT_BUILD_DATE, VAULT_VERSION } from './version.js'

const MOUNT_TYPE = 'system'

export interface Cluster {
  name: string
  id: string
}

export class SysBackend implements SecretsEngine {
  private readonly routes: Route[] = [
    { pattern: /^mounts$/, read: () => this.listMounts() },
    {
      pattern: /^mounts\/(.+)$/,
      read: (_, [path]) => this.readMount(path as string),
      update: (data, [path]) => this.enable(path as string, data),
      delete: (_, [path]) => this.disable(path as string),
    },
  ]

  constructor(
    private readonly mounts: MountTable,
    private readonly cluster: Cluster,
  ) {}

  /** `sys/health` and `sys/seal-status`, which need no token; `undefined` for every other path. */
  unauthenticated(path: string, method: string): VaultResponse | undefined {
    if (path === 'sys/health') {
      if (method === 'HEAD') return { status: 200 }
      return method === 'GET' ? { status: 200, body: this.health() } : errorResponse(405, [])
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
