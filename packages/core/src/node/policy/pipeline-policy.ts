// Where a run meets the policy, in the main process, before any test runs: the policy is loaded once
// per run, every project's attempts to go around it are recorded and enforced together (one refusal
// lists them all), and what the pipelines' workers get is a copy: they cannot change what the main
// process enforces.
import type { TestProject, Vitest } from 'vitest/node'
import { processSingleton } from '../../shared/process-singleton.js'
import { pipelineAttempts } from './bypass-attempts.js'
import { loadRunPolicy, type RunPolicy } from './run-policy.js'

/** A pipeline as the config declares it. */
export interface PipelineConfig {
  select?: string
  require: string[]
  real: string[]
}

/** What the policy adds to a pipeline: its services merged into the pipeline's own lists. */
export interface PipelineUnderPolicy {
  policy: RunPolicy
  require: string[]
  real: string[]
}

const current = processSingleton('policy', (): { checked?: { policy?: RunPolicy; error?: unknown } } => ({}))

/** Whether the user set `maxWorkers` (Vitest records it, untyped, as `providedOptions`). */
const maxWorkersGiven = (vitest: Vitest) =>
  (vitest.config as { providedOptions?: { maxWorkers?: boolean } }).providedOptions?.maxWorkers === true

const retryCount = (retry: TestProject['config']['retry']) =>
  typeof retry === 'number' ? retry : (retry?.count ?? 0)

/** The command line's `--tags-filter` of a project (before its pipeline's selection is appended). */
const cliTagsFilter = (project: TestProject, select: string | undefined) =>
  (project.config.tagsFilter ?? []).filter((f) => f !== select)

/**
 * Loads the policy, records every project's attempts and enforces them: throws PolicyViolation when
 * hard enforcement refuses one. Lowers Vitest's default worker count to the smallest maximum.
 */
function checkRun(
  vitest: Vitest,
  pipelines: Readonly<Record<string, PipelineConfig>>,
): RunPolicy | undefined {
  const policy = loadRunPolicy(vitest.config.root)
  if (!policy) return undefined
  const attempts = vitest.projects.flatMap((project) => {
    const settings = Object.hasOwn(pipelines, project.name) ? pipelines[project.name] : undefined
    return pipelineAttempts(
      {
        name: project.name,
        select: settings?.select,
        tagsFilter: cliTagsFilter(project, settings?.select),
        retry: retryCount(project.config.retry),
        maxWorkers: vitest.config.maxWorkers,
        maxWorkersGiven: maxWorkersGiven(vitest),
        env: process.env,
      },
      settings ? policy.governs(project.name) : undefined,
    )
  })
  policy.enforce(attempts)
  const maxima = vitest.projects.flatMap((p) => policy.governs(p.name)?.restrictions?.maxConcurrency ?? [])
  const max = Math.min(...maxima)
  if (vitest.config.maxWorkers > max && !maxWorkersGiven(vitest)) {
    policy.notes.push(
      `workers lowered from ${vitest.config.maxWorkers} to ${max} (restrictions.maxConcurrency)`,
    )
    vitest.config.maxWorkers = max
  }
  return policy
}

/**
 * The run's policy applied to one project (checked for the whole run at the first project); undefined
 * when the repository has no policy. `pipelines`: every pipeline of the config.
 */
export function governedPipeline(
  vitest: Vitest,
  project: TestProject,
  pipelines: Readonly<Record<string, PipelineConfig>>,
): PipelineUnderPolicy | undefined {
  if (!current.checked) {
    try {
      current.checked = { policy: checkRun(vitest, pipelines) }
    } catch (error) {
      current.checked = { error }
    }
    vitest.onClose(() => {
      delete current.checked
    })
  }
  if (current.checked.error) throw current.checked.error
  const policy = current.checked.policy
  if (!policy) return undefined
  const settings = Object.hasOwn(pipelines, project.name) ? pipelines[project.name] : undefined
  const rules = policy.governs(project.name)
  const union = (a: readonly string[] = [], b: readonly string[] = []) => [...new Set([...a, ...b])]
  return {
    policy,
    require: union(settings?.require, rules?.require),
    real: union(settings?.real, rules?.real),
  }
}
