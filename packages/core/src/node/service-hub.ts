import { NotApplicable } from '../shared/errors.js'
import {
  describeAttempts,
  type ProviderAttempt,
  reasonFromError,
  type ServiceStatus,
} from '../shared/service-status.js'
import { existingServerReadiness, type Provider, type ServiceDefinition } from './define-service.js'
import { AttemptScope } from './provider-context.js'
import { type ReadinessPolicy, waitUntilReady } from './readiness.js'
import { Reaper } from './reaper.js'
import { RestartRefused } from './restart-refused.js'
import { serviceVariable } from './service-variables.js'
import type { UpReuse } from './up-state/run-reuse.js'
import type { UpState } from './up-state/state-file.js'

export type HubEvent =
  | { type: 'starting'; service: string; provider: string }
  | { type: 'progress'; service: string; provider: string; message: string }
  | { type: 'settled'; status: ServiceStatus }

/**
 * `TESTBED_POSTGRES_PROVIDERS=binary,embedded` picks and orders a service's providers. A list that
 * leaves nothing to try (empty, blank, only commas) or names what the service does not have is a
 * misconfiguration: trying nothing would skip every test with no reason at all.
 */
export function providerOrder<C>(definition: ServiceDefinition<C>, up: UpProvider<C>): Provider<C>[] {
  if (!definition.providers.length)
    throw new Error(`${definition.name} has no providers: its definition lists none`)
  const all = [up, ...definition.providers]
  const known = all.map((p) => p.kind)
  const variable = serviceVariable(definition.name, 'PROVIDERS')
  const raw = process.env[variable]
  // `up` goes first where `testbed up` offers the service; a variable that leaves it out means not to.
  if (raw === undefined) return up.offers ? all : definition.providers
  const valid = `${definition.name} has: ${definition.providers.map((p) => p.kind).join(', ')}, and up (from testbed up)`
  const wanted = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (!wanted.length)
    throw new Error(`${variable} is set to ${JSON.stringify(raw)}, which names no provider; ${valid}`)
  const unknown = wanted.filter((kind) => !known.includes(kind))
  if (unknown.length) throw new Error(`${variable} names unknown provider(s) ${unknown.join(', ')}; ${valid}`)
  const twice = wanted.filter((kind, i) => wanted.indexOf(kind) !== i)
  if (twice.length)
    throw new Error(`${variable} names ${[...new Set(twice)].join(', ')} more than once; ${valid}`)
  return wanted.map((kind) => all.find((p) => p.kind === kind) as Provider<C>)
}

/** The `up` provider, and whether the state it reads holds the service (then it goes first). */
type UpProvider<C> = Provider<C> & { offers: boolean }

/** The `up` provider: the service as `testbed up --detach` holds it, or NotApplicable. */
export function upProvider(name: string, up: UpState | undefined): UpProvider<unknown> {
  const service = up?.services.find((s) => s.name === name)
  return {
    kind: 'up',
    offers: service !== undefined,
    async start() {
      if (!up) throw new NotApplicable('no testbed up of this checkout is running')
      if (!service) throw new NotApplicable(`testbed up (pid ${up.pid}) does not hold ${name}`)
      return {
        connection: service.found,
        detail: `testbed up, pid ${up.pid}, since ${service.since} (${service.provider}${service.detail ? `: ${service.detail}` : ''})`,
        ...(service.emulated && { emulated: service.emulated }),
        readiness: existingServerReadiness,
      }
    },
  }
}

/**
 * Every status leaves the hub through here. A reason is what the user acts on, so an unavailable
 * status or an attempt that failed without one is a bug in Testbed or a plugin: said so, not hidden.
 */
function withReasons(status: ServiceStatus): ServiceStatus {
  const attempts = status.attempts.map((a) =>
    a.outcome !== 'ready' && !a.reason?.trim()
      ? { ...a, reason: `${a.outcome} without a reason (a bug in the ${status.name} plugin)` }
      : a,
  )
  // "vault unavailable: " says nothing after its prefix.
  if (status.state === 'ready' || status.reason.replace(/^[^:]*:/, '').trim()) return { ...status, attempts }
  return {
    ...status,
    attempts,
    reason: `${status.name} unavailable: no reason was recorded (a bug in Testbed); attempts: ${describeAttempts(attempts) || 'none'}`,
  }
}

/** Why a service Testbed started cannot be restarted (`why`: what its attempt scope says). */
function notRestartable(name: string, provider: string, why: string): string {
  if (provider === 'compose')
    return `cannot restart ${name}: it is a service of a compose project, which other services and runs may share; Testbed restarts only the server processes and containers it started itself`
  if (why !== 'nothing') return `cannot restart ${name}: ${why}`
  return `cannot restart ${name}: its ${provider} provider spawned no server process (it runs inside the test run's main process), so there is nothing Testbed can stop and start again`
}

/**
 * The run-wide registry of services: each starts at most once per run, on first request, shared by
 * every worker and project, and is released by `stopAll()`.
 */
export class ServiceHub {
  private readonly definitions = new Map<string, ServiceDefinition<unknown>>()
  private readonly starts = new Map<string, Promise<ServiceStatus>>()
  private readonly scopes: AttemptScope[] = []
  private readonly listeners = new Set<(event: HubEvent) => void>()
  private readonly reaper = new Reaper()
  /** For each ready service: the attempt that started it, and what its provider found (what the probe takes). */
  private readonly owners = new Map<
    string,
    { scope: AttemptScope; found: unknown; readiness: Partial<ReadinessPolicy> }
  >()
  private readonly restarts = new Map<string, Promise<void>>()
  readonly settled: ServiceStatus[] = []
  /** The services of `testbed up --detach` this run may use (see `offerUp`). */
  private up: UpState | undefined
  /** What the service table says about `testbed up`: what it offered, or why it was not used. */
  upNote: string | undefined

  /** Lets services come from a live `testbed up` (provider `up`, tried first), before any start. */
  offerUp(reuse: UpReuse): void {
    this.up = reuse.state
    this.upNote = reuse.note
  }

  register(definition: ServiceDefinition<unknown>): void {
    const existing = this.definitions.get(definition.name)
    if (existing && existing !== definition) throw new Error(`two services are named '${definition.name}'`)
    this.definitions.set(definition.name, definition)
  }

  /** What the provider of a ready service found before provisioning (what `testbed up` records). */
  found(name: string): unknown {
    return this.owners.get(name)?.found
  }

  on(listener: (event: HubEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: HubEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  /** Starts (once) every named service, in parallel; resolves with each one's status. */
  async ensure(names: readonly string[]): Promise<Record<string, ServiceStatus>> {
    const statuses = await Promise.all(names.map((name) => this.ensureOne(name)))
    return Object.fromEntries(statuses.map((s) => [s.name, s]))
  }

  private ensureOne(name: string): Promise<ServiceStatus> {
    let start = this.starts.get(name)
    if (!start) {
      const definition = this.definitions.get(name)
      start = definition
        ? this.start(definition)
        : Promise.resolve({
            name,
            state: 'unavailable',
            reason: `no service named '${name}' is registered`,
            attempts: [],
          })
      start = start.then(withReasons).then((status) => {
        this.settled.push(status)
        this.emit({ type: 'settled', status })
        return status
      })
      this.starts.set(name, start)
    }
    return start
  }

  private async start(definition: ServiceDefinition<unknown>): Promise<ServiceStatus> {
    const { name } = definition
    const attempts: ProviderAttempt[] = []
    const began = performance.now()
    let providers: Provider<unknown>[]
    try {
      providers = providerOrder(definition, upProvider(name, this.up))
    } catch (error) {
      return { name, state: 'broken', reason: `${name} misconfigured: ${reasonFromError(error)}`, attempts }
    }
    for (const provider of providers) {
      const attemptStart = performance.now()
      const elapsed = () => Math.round(performance.now() - attemptStart)
      const progress = (text: string) =>
        this.emit({ type: 'progress', service: name, provider: provider.kind, message: text })
      const scope = new AttemptScope(name, progress, this.reaper)
      this.scopes.push(scope)
      this.emit({ type: 'starting', service: name, provider: provider.kind })
      let connection: unknown
      let detail: string | undefined
      let emulated: string | undefined
      let readiness: Partial<ReadinessPolicy> = {}
      try {
        const instance = await provider.start(scope)
        ;({ connection, detail, emulated } = instance)
        readiness = { ...definition.readiness, ...instance.readiness }
        if (definition.probe) {
          const probe = definition.probe
          await waitUntilReady((signal) => probe(connection, signal), readiness, scope.serverExit())
        }
      } catch (error) {
        await scope.release().catch(() => {})
        const applicable = !(error instanceof NotApplicable)
        attempts.push({
          provider: provider.kind,
          outcome: applicable ? 'failed' : 'skipped',
          reason: reasonFromError(error),
          ms: elapsed(),
        })
        if (applicable && provider.authoritative) break
        continue
      }
      const found = connection
      try {
        if (definition.provision) connection = await definition.provision(connection, scope)
      } catch (error) {
        await scope.release().catch(() => {})
        attempts.push({
          provider: provider.kind,
          outcome: 'failed',
          reason: reasonFromError(error),
          ms: elapsed(),
        })
        return {
          name,
          state: 'broken',
          reason: `${name} provisioning failed: ${reasonFromError(error)}`,
          attempts,
        }
      }
      attempts.push({ provider: provider.kind, outcome: 'ready', reason: detail, ms: elapsed() })
      this.owners.set(name, { scope, found, readiness })
      return {
        name,
        state: 'ready',
        provider: provider.kind,
        connection,
        env: definition.env?.(connection) ?? {},
        endpoint: definition.endpoint(connection),
        detail,
        emulated,
        startMs: Math.round(performance.now() - began),
        attempts,
      }
    }
    return {
      name,
      state: 'unavailable',
      reason: `${name} unavailable: ${describeAttempts(attempts)}`,
      attempts,
    }
  }

  /**
   * Stops the server processes or containers that started a service and starts them again as they
   * were (same command, port and data directory; the same container with the same published ports),
   * then waits until the service answers its probe. What the server keeps on disk survives; what it
   * held in memory does not, and provisioning is not redone.
   * Restarts of one service run one after another; every test using it meanwhile sees it go.
   */
  restart(name: string): Promise<void> {
    const previous = this.restarts.get(name) ?? Promise.resolve()
    const next = previous.catch(() => {}).then(() => this.restartOnce(name))
    this.restarts.set(name, next)
    return next
  }

  private async restartOnce(name: string): Promise<void> {
    const definition = this.definitions.get(name)
    if (!definition) {
      const known = [...this.definitions.keys()].join(', ') || 'none'
      throw new RestartRefused(
        `cannot restart '${name}': no service of that name is registered (registered: ${known})`,
      )
    }
    const start = this.starts.get(name)
    if (!start)
      throw new RestartRefused(
        `cannot restart ${name}: it is not running (no test of this run asked for it yet)`,
      )
    const status = await start
    if (status.state !== 'ready')
      throw new RestartRefused(`cannot restart ${name}: it is not running (${status.reason})`)
    const owner = this.owners.get(name)
    if (status.provider === 'up')
      throw new RestartRefused(
        `${name} comes from testbed up (${status.detail}): this run did not start it, so it cannot restart it`,
      )
    if (status.provider === 'env') {
      const from = status.detail?.replace(/^from /, '')
      throw new RestartRefused(
        `${name} came from env${from ? ` (${from})` : ''}: Testbed did not start it, so it cannot restart it`,
      )
    }
    const why = owner ? owner.scope.whyNotRestartable : 'nothing'
    if (!owner || why) throw new RestartRefused(notRestartable(name, status.provider, why ?? 'nothing'))
    this.emit({ type: 'progress', service: name, provider: status.provider, message: 'restarting' })
    try {
      await owner.scope.restartServers()
      if (definition.probe) {
        const probe = definition.probe
        await waitUntilReady(
          (signal) => probe(owner.found, signal),
          owner.readiness,
          owner.scope.serverExit(),
        )
      }
    } catch (error) {
      throw new Error(`${name} did not come back after a restart: ${reasonFromError(error)}`)
    }
  }

  /**
   * Forgets a start that ended broken (a provisioning error, say a migration's), so the next request
   * starts the service anew: watch mode calls it when what the service is built from changed.
   */
  async forgetBroken(name: string): Promise<void> {
    const start = this.starts.get(name)
    if (!start) return
    const status = await start
    if (status.state === 'broken' && this.starts.get(name) === start) this.starts.delete(name)
  }

  /** Releases everything every attempt acquired; then lets the reaper go. */
  async stopAll(): Promise<void> {
    await Promise.allSettled(this.starts.values())
    const results = await Promise.allSettled(this.scopes.reverse().map((scope) => scope.release()))
    this.scopes.length = 0
    this.starts.clear()
    this.owners.clear()
    this.reaper.close()
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed.length)
      throw new AggregateError(
        failed.map((f) => f.reason),
        'testbed: some services did not stop cleanly',
      )
  }
}
