// Which of a workflow's jobs run Testbed, and how: the pipelines (Vitest projects) each Testbed step
// runs — `vitest … --project X`, `npm test` / `npm run <script>` read through package.json's scripts,
// or a `testbed` command — with the strictness its env gives (TESTBED_REQUIRE, TESTBED_REAL, from the
// workflow, job and step env) and the services the job runs; and every mismatch with the
// repository's pipelines and, when there is one, its policy (`testbed.policy.json`).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PipelineOptions } from '@testbed/core/config'
import type { CiJob, CiStep, CiWorkflow } from './model.js'

export interface TestbedStep {
  step: CiStep
  /** The step's command as it runs Testbed (after npm scripts): `vitest run --project main`. */
  command: string
  /** `npm test` → `npm run lint && … && vitest run`: the scripts read on the way. */
  via: string[]
  /** The Vitest projects it runs; every pipeline when it names none. */
  pipelines: string[]
  /** Projects it names that are not pipelines of the repository. */
  unknown: string[]
  /** `--project "$PROJECT"` where PROJECT is empty here (a reusable workflow's input). */
  unresolved: string[]
  /** The env it runs with: workflow, job and step (the step's win). */
  env: Record<string, string>
  require: string[]
  real: string[]
}

export interface JobMapping {
  job: CiJob
  testbed: TestbedStep[]
  /** The steps a local run leaves out, and why. */
  others: { step: CiStep; why: string }[]
}

export interface Mismatch {
  kind:
    | 'no-job'
    | 'unknown-project'
    | 'service-not-provided'
    | 'optional-blocks'
    | 'blocking-optional'
    | 'policy'
    | 'unreadable'
  message: string
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

type Scripts = Record<string, string>

export function scriptsOf(root: string): Scripts {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Scripts }
    return pkg.scripts ?? {}
  } catch {
    return {}
  }
}

const NPM_SCRIPT = /\bnpm\s+(?:(?:run|run-script)\s+([\w:.-]+)|(test|t|tst)\b)/g

/** `text` with each `npm test` / `npm run x` replaced by its script, to a depth of 5. */
function throughScripts(text: string, scripts: Scripts, via: string[], depth = 0): string {
  if (depth > 5) return text
  return text.replace(NPM_SCRIPT, (whole, name: string | undefined) => {
    const script = scripts[name ?? 'test']
    if (script === undefined) return whole
    via.push(`${whole} → ${script}`)
    return throughScripts(script, scripts, via, depth + 1)
  })
}

/** A shell word with `$VAR` and `${VAR}` from `env`, its quotes removed. */
const shellWord = (word: string, env: Record<string, string>) =>
  word.replace(/^["']|["']$/g, '').replace(/\$\{?(\w+)\}?/g, (_, name: string) => env[name] ?? '')

const VITEST = /(?:^|[\s;&|(/])vitest(?=$|[\s;&|)])/
const TESTBED = /(?:^|[\s;&|(/])testbed\s+(up|down|status|env|doctor|ci|policy)\b/

export function mapJob(job: CiJob, pipelines: readonly string[], scripts: Scripts): JobMapping {
  const testbed: TestbedStep[] = []
  const others: JobMapping['others'] = []
  for (const step of job.steps) {
    if (step.run === undefined) {
      others.push({ step, why: `an action (${step.uses ?? 'unknown'}): the CI's set-up, not Testbed` })
      continue
    }
    const via: string[] = []
    const command = throughScripts(step.run, scripts, via)
    const vitest = VITEST.test(command)
    const testbedCommand = TESTBED.exec(command)
    if (!vitest && !testbedCommand) {
      others.push({ step, why: 'runs neither Vitest nor testbed' })
      continue
    }
    const env = { ...job.env, ...step.env }
    const words = [...command.matchAll(/--(?:project|pipeline)(?:=|\s+)("[^"]*"|'[^']*'|[^\s)]+)/g)].map(
      (m) => m[1] as string,
    )
    const projects = [...new Set(words.map((w) => shellWord(w, env)).filter(Boolean))]
    const unresolved = words.filter((w) => shellWord(w, env) === '')
    testbed.push({
      step,
      command: command.trim(),
      via,
      pipelines: words.length ? projects.filter((p) => pipelines.includes(p)) : vitest ? [...pipelines] : [],
      unknown: projects.filter((p) => !pipelines.includes(p)),
      unresolved,
      env,
      require: list(env.TESTBED_REQUIRE),
      real: list(env.TESTBED_REAL),
    })
  }
  return { job, testbed, others }
}

/**
 * The policy's required services per pipeline, read as plain JSON when the file is there: `testbed
 * policy verify` and a run validate it; here only `pipelines.<name>.require` is read.
 */
export interface PolicyRead {
  file: string
  required: Record<string, string[]>
  problem?: string
}

export function readPolicy(root: string): PolicyRead | undefined {
  const file = join(root, 'testbed.policy.json')
  if (!existsSync(file)) return undefined
  try {
    const policy = JSON.parse(readFileSync(file, 'utf8')) as {
      pipelines?: Record<string, Record<string, unknown>>
    }
    const required: Record<string, string[]> = {}
    // Its schema (packages/core/policy.schema.json) names them `require`, as a pipeline does.
    for (const [name, pipeline] of Object.entries(policy.pipelines ?? {})) {
      const value = pipeline?.require
      if (Array.isArray(value)) required[name] = value.map(String)
    }
    return { file: 'testbed.policy.json', required }
  } catch (error) {
    return { file: 'testbed.policy.json', required: {}, problem: (error as Error).message }
  }
}

/** Whether the job gives the pipeline `service`: a service container, TESTBED_REQUIRE or the pipeline's require. */
function provides(
  job: CiJob,
  step: TestbedStep,
  pipeline: PipelineOptions | undefined,
  service: string,
): boolean {
  const container = job.services.some(
    (s) => s.name === service || (s.image && new RegExp(`(^|/)${service}(:|$)`).test(s.image)),
  )
  return (
    container ||
    step.require.includes(service) ||
    step.require.includes('*') ||
    Boolean(pipeline?.require?.includes(service))
  )
}

export interface WorkflowMapping {
  workflow: CiWorkflow
  jobs: JobMapping[]
}

/**
 * Every mismatch between the workflows and the pipelines: a pipeline no job runs, a project that is
 * no pipeline, a service the policy requires that the job does not provide, an optional pipeline
 * run where its failure fails the workflow, a blocking one that only runs where it cannot. A
 * workflow run only by `workflow_call` is checked through its callers.
 */
export function mismatchesOf(
  mapped: readonly WorkflowMapping[],
  pipelines: Record<string, PipelineOptions>,
  policy: PolicyRead | undefined,
): Mismatch[] {
  const mismatches: Mismatch[] = []
  const counted = mapped.filter((m) => !m.workflow.reusableOnly).flatMap((m) => m.jobs)
  const runs = new Map<string, { job: CiJob; blocks: boolean }[]>()
  for (const name of Object.keys(pipelines)) runs.set(name, [])
  if (policy?.problem)
    mismatches.push({
      kind: 'policy',
      message: `${policy.file} could not be read (${policy.problem}): the policy was not checked`,
    })
  for (const { job, testbed } of counted)
    for (const step of testbed) {
      for (const project of step.unknown)
        mismatches.push({
          kind: 'unknown-project',
          message: `job '${job.id}' runs project '${project}', which is not a pipeline (pipelines: ${Object.keys(pipelines).join(', ')})`,
        })
      const blocks = !job.continueOnError && !step.step.continueOnError
      for (const name of step.pipelines) {
        const pipeline = pipelines[name]
        runs.get(name)?.push({ job, blocks })
        if (pipeline?.optional && blocks)
          mismatches.push({
            kind: 'optional-blocks',
            message: `job '${job.id}' runs the optional pipeline '${name}' without continue-on-error: its failure fails the workflow`,
          })
        for (const service of policy?.required[name] ?? [])
          if (!provides(job, step, pipeline, service))
            mismatches.push({
              kind: 'service-not-provided',
              message: `job '${job.id}' runs pipeline '${name}', whose policy requires ${service}, but provides it neither as a service container nor through TESTBED_REQUIRE (a run without it would skip, not fail)`,
            })
      }
    }
  for (const [name, pipelineRuns] of runs) {
    if (pipelineRuns.length === 0)
      mismatches.unshift({ kind: 'no-job', message: `pipeline '${name}' is run by no job` })
    else if (!pipelines[name]?.optional && pipelineRuns.every((r) => !r.blocks))
      mismatches.push({
        kind: 'blocking-optional',
        message: `the blocking pipeline '${name}' runs only with continue-on-error (${pipelineRuns.map((r) => `job '${r.job.id}'`).join(', ')}): its failure does not fail the workflow`,
      })
  }
  return mismatches
}
