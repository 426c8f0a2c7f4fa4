// The ways a run could go around its pipeline's policy, as read in the main process before any test
// runs. Each is an attempt; whether it is refused, warned or allowed is the enforcement's call.
import { serviceVariable } from '../service-variables.js'
import type { PipelinePolicy } from './policy.js'
import { isSet, SKIP_CACHE, SKIP_CHECKS } from './skip-variables.js'

export interface Attempt {
  pipeline: string
  what: string
  rule: string
  reason: string
  /** The policy's content lets it (an allowed cache bypass, a `--tags-filter`, which only narrows). */
  permitted: boolean
}

/**
 * Providers that are Testbed's emulators, not the product: a provider list naming only these forces
 * an emulator. (PostgreSQL's `embedded` is a real PostgreSQL, so not listed.)
 */
export const EMULATOR_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  vault: ['embedded'],
  s3: ['embedded'],
  auth0: ['embedded'],
}

export interface PipelineRun {
  name: string
  /** The config's pipeline selection. */
  select?: string
  /** The command line's `--tags-filter`. */
  tagsFilter: readonly string[]
  /** The project's resolved retry count (`--retry` or the config's `retry`). */
  retry: number
  /** Vitest's worker count, and whether the user set it (`--maxWorkers` or the config). */
  maxWorkers: number
  maxWorkersGiven: boolean
  env: NodeJS.ProcessEnv
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
const normalized = (expression: string | undefined) => expression?.replace(/\s+/g, ' ').trim() ?? ''

/** A variable that names fewer services than the policy: the services it leaves out. */
function omitted(value: string | undefined, wanted: readonly string[] = []): string[] {
  if (!value?.trim() || !wanted.length) return []
  const named = list(value)
  if (named.includes('all') || named.includes('*')) return []
  return wanted.filter((s) => !named.includes(s))
}

/** Every attempt a run of this pipeline makes; `policy` undefined: a project the policy does not govern. */
export function pipelineAttempts(run: PipelineRun, policy: Readonly<PipelinePolicy> | undefined): Attempt[] {
  const { name: pipeline, env } = run
  const attempt = (what: string, rule: string, reason: string, permitted = false): Attempt => ({
    pipeline,
    what,
    rule,
    reason,
    permitted,
  })
  if (!policy)
    return [
      attempt(
        `vitest --project ${pipeline}`,
        'pipelines',
        `project '${pipeline}' is not a pipeline of the policy: its tests would run outside it`,
      ),
    ]
  const found: Attempt[] = []
  const restrictions = policy.restrictions ?? {}
  if (isSet(env[SKIP_CACHE]))
    found.push(
      attempt(
        `${SKIP_CACHE}=${env[SKIP_CACHE]}`,
        'restrictions.allowCacheBypass',
        'cache bypass not allowed under the policy',
        restrictions.allowCacheBypass === true,
      ),
    )
  // Turning the result cache off skips what it would have verified (its sampled re-runs) and
  // stored: the same bypass as TESTBED_SKIP_CACHE.
  if (env.TESTBED_CACHE?.trim().toLowerCase() === 'off')
    found.push(
      attempt(
        `TESTBED_CACHE=${env.TESTBED_CACHE}`,
        'restrictions.allowCacheBypass',
        'cache bypass not allowed under the policy',
        restrictions.allowCacheBypass === true,
      ),
    )
  if (isSet(env[SKIP_CHECKS]))
    found.push(
      attempt(
        `${SKIP_CHECKS}=${env[SKIP_CHECKS]}`,
        'restrictions.allowCheckSkip',
        'check skipping not allowed under the policy',
        restrictions.allowCheckSkip === true,
      ),
    )
  for (const [variable, field, wanted] of [
    ['TESTBED_REQUIRE', 'require', policy.require],
    ['TESTBED_REAL', 'real', policy.real],
  ] as const) {
    const left = omitted(env[variable], wanted)
    if (left.length)
      found.push(
        attempt(
          `${variable}=${env[variable]}`,
          field,
          `${variable} leaves out ${left.join(', ')}, which the policy's ${field} lists (the policy's list applies)`,
        ),
      )
  }
  for (const service of policy.real ?? []) {
    const variable = serviceVariable(service, 'PROVIDERS')
    const kinds = list(env[variable])
    const emulators = EMULATOR_PROVIDERS[service] ?? []
    if (kinds.length && kinds.every((k) => emulators.includes(k)))
      found.push(
        attempt(
          `${variable}=${env[variable]}`,
          'real',
          `${variable} forces an emulator, and the policy wants a real ${service}`,
        ),
      )
  }
  if (policy.select !== undefined && normalized(policy.select) !== normalized(run.select))
    found.push(
      attempt(
        `select ${JSON.stringify(run.select ?? '')}`,
        'select',
        `the config's pipeline selects ${run.select ? `'${run.select}'` : 'every test'}, not the policy's '${policy.select}'`,
      ),
    )
  if (run.tagsFilter.length)
    found.push(
      attempt(
        `--tags-filter ${run.tagsFilter.join(' ')}`,
        'select',
        "narrows only: Vitest ANDs it with the pipeline's selection",
        true,
      ),
    )
  if (policy.retries && run.retry > policy.retries.max)
    found.push(
      attempt(
        `retry ${run.retry}`,
        'retries.max',
        `${run.retry} retries per test (--retry or the config's retry) is above the policy's ${policy.retries.max}`,
      ),
    )
  const max = restrictions.maxConcurrency
  if (max !== undefined && run.maxWorkersGiven && run.maxWorkers > max)
    found.push(
      attempt(
        `maxWorkers ${run.maxWorkers}`,
        'restrictions.maxConcurrency',
        `${run.maxWorkers} workers (--maxWorkers or the config's maxWorkers) is above the policy's ${max}`,
      ),
    )
  return found
}
