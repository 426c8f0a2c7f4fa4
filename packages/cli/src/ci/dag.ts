// The jobs as a DAG: every need names a job, no cycle (the cycle is named, `a → b → a`), and the
// stages: each job in the first stage after all of its needs, so a stage's jobs can run in parallel.
import { type CiJob, WorkflowError } from './model.js'

/** Throws a WorkflowError for a need that names no job, then for the first cycle found. */
export function checkDag(jobs: readonly CiJob[]): void {
  const byId = new Map(jobs.map((job) => [job.id, job]))
  for (const job of jobs)
    for (const need of job.needs)
      if (!byId.has(need))
        throw new WorkflowError(
          job.file,
          job.line,
          `job '${job.id}' needs '${need}', which is not a job of this workflow`,
        )
  const cycle = findCycle(jobs)
  if (cycle) {
    const first = byId.get(cycle[0] as string) as CiJob
    throw new WorkflowError(first.file, first.line, `the jobs' needs make a cycle: ${cycle.join(' → ')}`)
  }
}

/** A cycle as the path of needs that closes it (`a → b → a`: a needs b, b needs a), or undefined. */
export function findCycle(jobs: readonly CiJob[]): string[] | undefined {
  const needs = new Map(jobs.map((job) => [job.id, job.needs]))
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id]
    state.set(id, 'open')
    path.push(id)
    for (const need of needs.get(id) ?? []) {
      const cycle = visit(need)
      if (cycle) return cycle
    }
    path.pop()
    state.set(id, 'done')
    return undefined
  }
  for (const job of jobs) {
    const cycle = visit(job.id)
    if (cycle) return cycle
  }
  return undefined
}

/** The jobs by stage: a job's stage is one more than its latest need's (the DAG must be checked). */
export function stagesOf(jobs: readonly CiJob[]): CiJob[][] {
  const byId = new Map(jobs.map((job) => [job.id, job]))
  const depth = new Map<string, number>()
  const depthOf = (job: CiJob): number => {
    const known = depth.get(job.id)
    if (known !== undefined) return known
    const d = Math.max(-1, ...job.needs.map((n) => depthOf(byId.get(n) as CiJob))) + 1
    depth.set(job.id, d)
    return d
  }
  const stages: CiJob[][] = []
  for (const job of jobs) {
    const d = depthOf(job)
    stages[d] = [...(stages[d] ?? []), job]
  }
  return stages
}

/** Every job `job` waits for, directly or through others. */
export function ancestorsOf(job: CiJob, jobs: readonly CiJob[]): CiJob[] {
  const byId = new Map(jobs.map((j) => [j.id, j]))
  const seen = new Set<string>()
  const walk = (j: CiJob) => {
    for (const need of j.needs)
      if (!seen.has(need)) {
        seen.add(need)
        walk(byId.get(need) as CiJob)
      }
  }
  walk(job)
  return jobs.filter((j) => seen.has(j.id))
}
