// The workflow model every CI reader (GitHub Actions, GitLab CI) produces: jobs already expanded
// from their matrices, with their needs expanded too, so the DAG, the stages, the Testbed mapping
// and the local run read one shape.

export type Matrix = Record<string, unknown>

export interface CiStep {
  /** What the CI shows for the step: its `name`, else its `run` or `uses`. */
  label: string
  /** The shell script, with `${{ matrix.x }}` and `${{ inputs.x }}` substituted. */
  run?: string
  /** An action (`actions/checkout@v4`). */
  uses?: string
  /** The step's own env (substituted); the job's and the workflow's are in CiJob.env. */
  env: Record<string, string>
  continueOnError: boolean
}

/** When a job runs, from its `if` (GitHub) or `when` (GitLab). */
export type JobCondition =
  | { kind: 'success' }
  | { kind: 'always' }
  | { kind: 'failure' }
  | { kind: 'cancelled' }
  /** A GitHub expression evaluated against the needs' results when the job's turn comes. */
  | {
      kind: 'expression'
      expression: string
      contexts?: { github?: Record<string, string>; inputs?: Record<string, unknown> }
    }

export interface CiJob {
  /** Unique in the workflow: `test (py39)`, `enterprise / test`. */
  id: string
  /** The job's key in the file (`test`); every expansion of a matrix shares it. */
  key: string
  /** The file's `name:` for the job (substituted), else its key. */
  name: string
  matrix?: Matrix
  /** Ids of the jobs this one waits for (a need on a matrix job: every expansion). */
  needs: string[]
  condition: JobCondition
  /** A failure does not fail the workflow (`continue-on-error`, GitLab's `allow_failure`). */
  continueOnError: boolean
  /** `strategy.fail-fast` (default true): a failed expansion cancels the matrix's other ones. */
  failFast: boolean
  /** The workflow's env and the job's, merged (the job's win), substituted. */
  env: Record<string, string>
  steps: CiStep[]
  /** Service containers the job runs (`services:` keys and their images). */
  services: { name: string; image?: string }[]
  /** GitLab's stage. */
  stage?: string
  /** A reusable workflow this job calls (`uses: ./.github/workflows/x.yml`) and is expanded into. */
  calls?: string
  /** What could not be read locally (a remote reusable workflow, a matrix from an expression). */
  notes: string[]
  file: string
  line?: number
}

export interface CiWorkflow {
  kind: 'github' | 'gitlab'
  /** The workflow's path, relative to the repository root. */
  file: string
  name: string
  /** Triggered only by `workflow_call`: checked where it is called, not on its own. */
  reusableOnly: boolean
  jobs: CiJob[]
}

/** One clear error about a workflow file: the file and, when known, the line. */
export class WorkflowError extends Error {
  override name = 'WorkflowError'
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${reason}`)
  }
}
