/**
 * When a test whose service is missing fails rather than skips: the whole rule, decided here only.
 *
 * A test marked `requires_<service>` runs once its service is ready. When the service is not:
 * 1. `broken` (a provider was found but provisioning failed, or `TESTBED_<SERVICE>_PROVIDERS` is
 *    wrong): the test fails, always. A skip would hide the bug.
 * 2. `unavailable` (no provider could supply it): the test is skipped with the reason, unless the
 *    service is required, then it fails with the reason and why it was required:
 *    - the pipeline's `require` lists it (`defineTestbed({ pipelines: { main: { require: [...] } } })`);
 *    - `TESTBED_REQUIRE` names it: a comma list, or `all` (`*`) for every service. CI sets it so that
 *      nothing the machine can provide is quietly skipped.
 * 3. An emulator is taken as unavailable (then rule 2) where the service must be the real product:
 *    the pipeline's `real` lists it, or `TESTBED_REAL` names it (a comma list, or `all`/`*`).
 * 4. A worker- or file-scoped fixture has no test to skip: a missing service is an error there.
 *
 * The main process reads the variables once per pipeline (`pipelineStrictness`) and hands the lists
 * to the pipeline's workers in its context; the gate in a worker asks `acceptedStatus` and `whenMissing`.
 * Nothing here needs Node or Vitest: the worker loads it only with the gate.
 */
import type { TestbedContext } from './provided-context.js'
import type { ServiceStatus, UnavailableStatus } from './service-status.js'

type Strictness = Pick<TestbedContext, 'pipeline' | 'require' | 'requireFromEnv' | 'real'>

/** A pipeline's lists, with `TESTBED_REQUIRE` and `TESTBED_REAL` read (in the main process). */
export function pipelineStrictness(
  pipeline: { require: string[]; real: string[] },
  env: NodeJS.ProcessEnv = process.env,
): Pick<TestbedContext, 'require' | 'requireFromEnv' | 'real'> {
  return {
    require: pipeline.require,
    requireFromEnv: serviceList(env.TESTBED_REQUIRE),
    real: [...pipeline.real, ...serviceList(env.TESTBED_REAL)],
  }
}

function serviceList(variable: string | undefined): string[] {
  const value = variable?.trim()
  if (!value) return []
  if (value === 'all' || value === '*') return ['*']
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

const names = (list: readonly string[], service: string) => list.includes('*') || list.includes(service)

/** Why a missing service must fail the test (rule 2), or undefined when it may be skipped. */
function strictBecause(context: Strictness, service: string): string | undefined {
  if (context.require.includes(service)) return `required in pipeline '${context.pipeline}'`
  if (names(context.requireFromEnv, service))
    return `required in pipeline '${context.pipeline}' by TESTBED_REQUIRE`
  return undefined
}

/** The status a test gets: an emulator where the real product is wanted is unavailable (rule 3). */
export function acceptedStatus<Connection>(
  context: Strictness,
  status: ServiceStatus<Connection>,
): ServiceStatus<Connection> {
  if (status.state !== 'ready' || !status.emulated || !names(context.real, status.name)) return status
  return {
    name: status.name,
    state: 'unavailable',
    attempts: status.attempts,
    reason: `${status.name} unavailable: only ${status.emulated} could be had, and pipeline '${context.pipeline}' requires a real ${status.name}`,
  }
}

/**
 * What becomes of a test (or a fixture outside a test: `{ canSkip: false }`, rule 4) whose service
 * is missing: it fails, or it is skipped, with this reason.
 */
export function whenMissing(
  context: Strictness,
  status: UnavailableStatus,
  { canSkip = true }: { canSkip?: boolean } = {},
): { fails: boolean; reason: string } {
  if (status.state === 'broken' || !canSkip) return { fails: true, reason: status.reason }
  const strict = strictBecause(context, status.name)
  return strict
    ? { fails: true, reason: `${status.reason} (${strict})` }
    : { fails: false, reason: status.reason }
}
