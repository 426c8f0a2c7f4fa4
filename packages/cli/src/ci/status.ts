// Job and workflow results as GitHub decides them. A job runs when its condition holds: by default
// `success()`, true only when every job it waits for, directly or through others, succeeded (so a
// failed or skipped ancestor skips it: actions/runner#2205), `always()`, `failure()` (an ancestor
// failed), `cancelled()`, or an expression over `needs`. A job that fails with `continue-on-error`
// counts as a success for the jobs after it and for the workflow (actions/runner#1161); with
// `fail-fast` (the default) a failed expansion of a matrix cancels the expansions not yet finished.
// The workflow fails when a job failed, is cancelled when it was cancelled, and succeeds otherwise.
import { ancestorsOf, stagesOf } from './dag.js'
import { evaluate, namesStatusFunction, truthy } from './expressions.js'
import type { CiJob } from './model.js'

export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped'

export interface JobOutcome {
  result: JobResult
  /** It failed, but with continue-on-error: `result` is success. */
  continuedOnError?: boolean
  /** Why it did not run (skipped, cancelled). */
  why?: string
}

/** The result the `needs` context gives for a job key: over all of its expansions. */
function resultOfKey(expansions: JobOutcome[]): JobResult {
  const results = expansions.map((o) => o.result)
  if (results.includes('failure')) return 'failure'
  if (results.includes('cancelled')) return 'cancelled'
  if (results.length > 0 && results.every((r) => r === 'skipped')) return 'skipped'
  return 'success'
}

/** Whether `job` runs now, given the outcomes of the jobs before it; if not, why. */
export function shouldRun(
  job: CiJob,
  jobs: readonly CiJob[],
  outcomes: ReadonlyMap<string, JobOutcome>,
  workflowCancelled = false,
): { run: boolean; why?: string } {
  const ancestors = ancestorsOf(job, jobs).map((a) => ({ job: a, outcome: outcomes.get(a.id) }))
  const status = {
    success: !workflowCancelled && ancestors.every((a) => a.outcome?.result === 'success'),
    failure: ancestors.some((a) => a.outcome?.result === 'failure'),
    cancelled: workflowCancelled,
  }
  const notSuccess = ancestors.find((a) => a.outcome?.result !== 'success')
  const because = notSuccess
    ? `${notSuccess.job.id} ${notSuccess.outcome?.result ?? 'did not run'}`
    : 'the run was cancelled'
  const { condition } = job
  switch (condition.kind) {
    case 'always':
      return { run: true }
    case 'success':
      return status.success ? { run: true } : { run: false, why: `success() is false: ${because}` }
    case 'failure':
      return status.failure
        ? { run: true }
        : { run: false, why: 'failure() is false: no job before it failed' }
    case 'cancelled':
      return status.cancelled ? { run: true } : { run: false, why: 'cancelled() is false' }
    case 'expression': {
      const needs: Record<string, { result: string; outputs: Record<string, string> }> = {}
      const byKey = new Map<string, JobOutcome[]>()
      for (const need of jobs.filter((j) => job.needs.includes(j.id)))
        byKey.set(need.key, [...(byKey.get(need.key) ?? []), outcomes.get(need.id) ?? { result: 'skipped' }])
      for (const [key, expansions] of byKey) needs[key] = { result: resultOfKey(expansions), outputs: {} }
      const explicit = namesStatusFunction(condition.expression)
      if (!explicit && !status.success) return { run: false, why: `success() is false: ${because}` }
      const holds = truthy(evaluate(condition.expression, { ...condition.contexts, needs }, status))
      return holds ? { run: true } : { run: false, why: `if: ${condition.expression} is false` }
    }
  }
}

/** The workflow's conclusion from its jobs' outcomes. */
export function conclusionOf(outcomes: Iterable<JobOutcome>, workflowCancelled = false): JobResult {
  const results = [...outcomes].map((o) => o.result)
  if (results.includes('failure')) return 'failure'
  if (workflowCancelled || results.includes('cancelled')) return 'cancelled'
  return 'success'
}

export interface Executor {
  /** Runs one job; its raw result (before continue-on-error). */
  run(job: CiJob): Promise<'success' | 'failure' | 'cancelled'>
  /** Called as each job's outcome is known. */
  settled?(job: CiJob, outcome: JobOutcome): void
  /** True once the run is being cancelled (Ctrl-C): nothing more starts. */
  cancelled?(): boolean
}

/**
 * Runs `jobs` stage by stage (within a stage one after another), deciding each as GitHub would;
 * the outcomes by job id and the workflow's conclusion.
 */
export async function execute(
  jobs: readonly CiJob[],
  executor: Executor,
): Promise<{ outcomes: Map<string, JobOutcome>; conclusion: JobResult }> {
  const outcomes = new Map<string, JobOutcome>()
  /** Matrix keys whose fail-fast cancelled the rest: the expansion that failed. */
  const failedFast = new Map<string, string>()
  const settle = (job: CiJob, outcome: JobOutcome) => {
    outcomes.set(job.id, outcome)
    executor.settled?.(job, outcome)
  }
  for (const stage of stagesOf(jobs))
    for (const job of stage) {
      if (executor.cancelled?.()) {
        settle(job, { result: 'cancelled', why: 'the run was cancelled' })
        continue
      }
      const failed = failedFast.get(job.key)
      if (failed && job.matrix) {
        settle(job, { result: 'cancelled', why: `fail-fast: ${failed} failed` })
        continue
      }
      const decision = shouldRun(job, jobs, outcomes)
      if (!decision.run) {
        settle(job, { result: 'skipped', ...(decision.why && { why: decision.why }) })
        continue
      }
      const raw = await executor.run(job)
      if (raw === 'failure' && job.continueOnError) settle(job, { result: 'success', continuedOnError: true })
      else {
        settle(job, { result: raw })
        if (raw === 'failure' && job.matrix && job.failFast) failedFast.set(job.key, job.id)
      }
    }
  const cancelled = executor.cancelled?.() ?? false
  return { outcomes, conclusion: conclusionOf(outcomes.values(), cancelled) }
}
