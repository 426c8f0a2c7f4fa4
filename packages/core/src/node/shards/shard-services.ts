import type { TaskMeta } from 'vitest'
import type { TestModule } from 'vitest/node'
import type { ProviderAttempt, ServiceStatus } from '../../shared/service-status.js'

/**
 * What one run (a shard, or the whole suite) says of a service: enough for the summary's table, and
 * nothing secret (no connection, no exported variables; the endpoint is the hub's redacted one), since
 * blob reports are uploaded as CI artifacts.
 */
export interface RecordedService {
  name: string
  state: ServiceStatus['state']
  provider?: string
  /** How long the start took, in ms. */
  startMs?: number
  endpoint?: string
  detail?: string
  emulated?: string
  reason?: string
  attempts: ProviderAttempt[]
  /** `1/3` when the run was a shard; absent in an unsharded run. */
  shard?: string
}

/** What a run writes on a test file's meta: the services that settled since its previous file ended. */
export interface ShardServicesMeta {
  services: RecordedService[]
  upNote?: string
}

declare module 'vitest' {
  interface TaskMeta {
    /** Written by Testbed's reporter as each file ends, so that blob reports carry the service table. */
    testbedServices?: ShardServicesMeta
    /** The shard (`2/3`) that ran the file, written on every file of a sharded run. */
    testbedShard?: string
  }
}

export function recordedService(status: ServiceStatus, shard: string | undefined): RecordedService {
  const base = { name: status.name, state: status.state, attempts: status.attempts, ...(shard && { shard }) }
  if (status.state !== 'ready') return { ...base, reason: status.reason }
  return {
    ...base,
    provider: status.provider,
    startMs: status.startMs,
    endpoint: status.endpoint,
    ...(status.detail && { detail: status.detail }),
    ...(status.emulated && { emulated: status.emulated }),
  }
}

/**
 * Notes on each file's meta, as it ends, the services that settled since the last one. Vitest's blob
 * reporter serialises every file task with its meta, and `--merge-reports` replays it, so the table
 * survives the merge with no file of its own. (It is written when a file ends, not at the end of the
 * run: the blob reporter serialises at the start of its own `onTestRunEnd`, which may run first.)
 */
export class ServiceRecorder {
  private written = 0
  private upNoteWritten = false

  constructor(private readonly shard: string | undefined) {}

  onModuleEnd(meta: TaskMeta, settled: readonly ServiceStatus[], upNote: string | undefined): void {
    if (this.shard) meta.testbedShard = this.shard
    const fresh = settled.slice(this.written)
    const note = upNote && !this.upNoteWritten && settled.length ? upNote : undefined
    if (!fresh.length && !note) return
    this.written = settled.length
    if (note) this.upNoteWritten = true
    meta.testbedServices = {
      services: fresh.map((s) => recordedService(s, this.shard)),
      ...(note && { upNote: note }),
    }
  }
}

export interface MergedServices {
  /** One row per service and outcome: a service every shard had alike is one row naming those shards. */
  rows: MergedService[]
  /** Each shard's ` testbed up` note, by shard. */
  upNotes: Array<{ shard?: string; note: string }>
}

export interface MergedService extends RecordedService {
  /** The shards where the service settled this way, in order; empty in an unsharded run. */
  shards: string[]
}

const shardOrder = (a: string, b: string) => Number.parseInt(a, 10) - Number.parseInt(b, 10)

/**
 * The services of every shard, from the files' meta in a merged report. Rows are grouped by service
 * and state/provider; the first shard's start time is kept for a ready row.
 */
export function mergedServices(modules: ReadonlyArray<TestModule>): MergedServices {
  const rows = new Map<string, MergedService>()
  const upNotes: MergedServices['upNotes'] = []
  for (const module of modules) {
    const { testbedServices: recorded, testbedShard: shard } = module.meta()
    if (!recorded) continue
    if (recorded.upNote) upNotes.push({ ...(shard && { shard }), note: recorded.upNote })
    for (const service of recorded.services) {
      const key = [service.name, service.state, service.provider ?? '', service.reason ?? ''].join('\0')
      const row = rows.get(key) ?? { ...service, shards: [] }
      if (service.shard && !row.shards.includes(service.shard)) row.shards.push(service.shard)
      rows.set(key, row)
    }
  }
  const list = [...rows.values()].map((r) => ({ ...r, shards: r.shards.sort(shardOrder) }))
  upNotes.sort((a, b) => shardOrder(a.shard ?? '0', b.shard ?? '0'))
  return { rows: list, upNotes }
}

/** `shard 2/3`, `shards 1/3, 3/3`, or nothing for an unsharded run. */
export function shardsLabel(shards: readonly string[]): string {
  if (!shards.length) return ''
  return `${shards.length === 1 ? 'shard' : 'shards'} ${shards.join(', ')}`
}
