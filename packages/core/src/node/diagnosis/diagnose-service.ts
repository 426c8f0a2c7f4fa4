// `testbed doctor`'s view of one service: its providers in the order a run tries them, each checked
// without starting anything.
import { reasonFromError } from '../../shared/service-status.js'
import type { Provider, ProviderDiagnosis, ServiceDefinition } from '../define-service.js'
import { providerOrder, upProvider } from '../service-hub.js'
import { serviceVariable } from '../service-variables.js'
import type { UpReuse } from '../up-state/run-reuse.js'

export interface ProviderCheck {
  provider: string
  /** When it applies but fails, a run stops there (see `Provider.authoritative`). */
  authoritative: boolean
  /** `null`: no answer — the provider has no `diagnose`, or its check failed or did not finish. */
  applicable: boolean | null
  reason: string
  found: Record<string, string>
  problem?: string
  /** How long the check took. */
  ms: number
}

export interface ServiceDiagnosis {
  name: string
  description?: string
  providers: ProviderCheck[]
  /**
   * What a run would get: `available` through `provider` (the first that applies without a problem),
   * `unavailable` (none applies, an authoritative one would fail, or the order is misconfigured), or
   * `unknown` (a provider that has no check comes first: a run would try it).
   */
  verdict: { state: 'available' | 'unavailable' | 'unknown'; provider?: string; reason: string }
}

export const NO_CHECK = 'no check (this provider has no diagnose)'

/** The `up` provider's answer: whether a live `testbed up` of this checkout holds the service. */
function diagnoseUp(name: string, reuse: UpReuse): ProviderDiagnosis {
  const state = reuse.state
  if (!state) return { applicable: false, reason: reuse.note ?? 'no testbed up of this checkout is running' }
  const held = state.services.find((s) => s.name === name)
  if (!held) return { applicable: false, reason: `testbed up (pid ${state.pid}) does not hold ${name}` }
  return {
    applicable: true,
    reason: `testbed up (pid ${state.pid}) holds it since ${held.since}`,
    found: {
      provider: `${held.provider}${held.detail ? ` (${held.detail})` : ''}`,
      endpoint: held.endpoint,
    },
  }
}

/** Runs one check, bounded: a check that ignores its signal is not waited for past `timeoutMs`. */
async function check(
  name: string,
  provider: Provider<unknown>,
  reuse: UpReuse,
  timeoutMs: number,
): Promise<ProviderCheck> {
  const began = performance.now()
  const base = { provider: provider.kind, authoritative: Boolean(provider.authoritative) }
  const done = (d: Omit<ProviderCheck, 'provider' | 'authoritative' | 'ms'>): ProviderCheck => ({
    ...base,
    ...d,
    ms: Math.round(performance.now() - began),
  })
  if (provider.kind === 'up') return done({ found: {}, ...diagnoseUp(name, reuse) })
  if (!provider.diagnose) return done({ applicable: null, reason: NO_CHECK, found: {} })
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new Error(`its check did not finish within ${timeoutMs} ms`))
    }, timeoutMs)
  })
  try {
    const d = await Promise.race([provider.diagnose(controller.signal), late])
    return done({ ...d, found: d.found ?? {} })
  } catch (error) {
    return done({ applicable: null, reason: `no answer: ${reasonFromError(error)}`, found: {} })
  } finally {
    clearTimeout(timer)
  }
}

function verdictOf(checks: readonly ProviderCheck[]): ServiceDiagnosis['verdict'] {
  for (const c of checks) {
    if (c.applicable === null)
      return {
        state: 'unknown',
        provider: c.provider,
        reason: `a run would try ${c.provider} first: ${c.reason}`,
      }
    if (!c.applicable) continue
    if (!c.problem)
      return { state: 'available', provider: c.provider, reason: `a run would use ${c.provider}` }
    if (c.authoritative)
      return {
        state: 'unavailable',
        provider: c.provider,
        reason: `${c.provider} applies and would fail, and a run stops there: ${c.problem}`,
      }
  }
  const why = checks.map((c) => `${c.provider}: ${c.problem ?? c.reason}`).join('; ')
  return { state: 'unavailable', reason: `no provider applies (${why || 'it has none'})` }
}

/**
 * Checks every provider of `definition` in a run's order: `TESTBED_<NAME>_PROVIDERS` as a run reads
 * it, and `up` first (whether `testbed up` holds it; `reuse` as `upReuse` found it), unless the
 * variable leaves it out. Checks run in parallel; each is bounded by `timeoutMs`.
 */
export async function diagnoseService(
  definition: ServiceDefinition<unknown>,
  reuse: UpReuse,
  timeoutMs = 20_000,
): Promise<ServiceDiagnosis> {
  const { name, description } = definition
  const up = upProvider(name, reuse.state)
  let order: Provider<unknown>[]
  try {
    order = providerOrder(definition, up)
  } catch (error) {
    return {
      name,
      description,
      providers: [],
      verdict: { state: 'unavailable', reason: `${name} misconfigured: ${reasonFromError(error)}` },
    }
  }
  // A run tries `up` only where it holds the service; doctor says why it does not, too.
  if (!order.includes(up) && process.env[serviceVariable(name, 'PROVIDERS')] === undefined)
    order = [up, ...order]
  const providers = await Promise.all(order.map((p) => check(name, p, reuse, timeoutMs)))
  return { name, description, providers, verdict: verdictOf(providers) }
}
