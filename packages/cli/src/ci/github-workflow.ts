// A GitHub Actions workflow read with GitHub's own parser (@actions/workflow-parser: YAML, the
// workflow schema, unknown needs and cycles, each with its line), then expanded into CiJobs: the
// matrices by GitHub's rules, local reusable workflows (`uses: ./.github/workflows/x.yml`) with
// their inputs, the needs through both. The parser keeps the values as template tokens and leaves
// matrices unexpanded; the plain values are read with `yaml` from the same text.
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { checkDag } from './dag.js'
import {
  conditionText,
  type ExpressionContexts,
  evaluate,
  hasExpression,
  substitute,
  truthy,
} from './expressions.js'
import { localGithubContext } from './local-github-context.js'
import { expandedName, expandMatrix, MatrixError } from './matrix.js'
import {
  type CiJob,
  type CiStep,
  type CiWorkflow,
  type JobCondition,
  type Matrix,
  WorkflowError,
} from './model.js'
import { workflowParser } from './workflow-parser.js'

type Plain = Record<string, unknown>
const isRecord = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const asList = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]

/** The first error GitHub's parser finds: its message without the `file (Line: n, Col: m): ` prefix. */
function parserError(
  file: string,
  error: { message: string; range?: { start: { line: number } } },
): WorkflowError {
  const line = error.range?.start.line
  const reason = (error.message.split('\n')[0] as string)
    .replace(/^.*?\(Line: \d+, Col: \d+\):\s*/, '')
    .replace(/^[^:]*?\.ya?ml:\s*/, '')
  return new WorkflowError(file, line, reason)
}

interface Parsed {
  plain: Plain
  /** Each job key's line, from the parser's tokens. */
  lines: Map<string, number>
  /** The parser's errors about the jobs' graph, reported only if checkDag finds nothing clearer. */
  graphErrors: WorkflowError[]
}

async function parseFile(root: string, file: string): Promise<Parsed> {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await workflowParser()
  let content: string
  try {
    content = readFileSync(join(root, file), 'utf8')
  } catch (error) {
    throw new WorkflowError(file, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`)
  }
  const result = parseWorkflow({ name: file, content }, new NoOperationTraceWriter())
  const [first] = result.context.errors.getErrors()
  if (first || !result.value) throw first ? parserError(file, first) : new WorkflowError(file, 1, 'is empty')
  const template = await convertWorkflowTemplate(result.context, result.value)
  const lines = new Map<string, number>()
  for (const job of template.jobs ?? []) if (job.id.range) lines.set(job.id.value, job.id.range.start.line)
  const errors = result.context.errors.getErrors().map((e) => parserError(file, e))
  const graph = /depends on|cycle|no dependencies/
  const other = errors.find((e) => !graph.test(e.reason))
  if (other) throw other
  return { plain: parseYaml(content) as Plain, lines, graphErrors: errors }
}

const strings = (env: unknown, contexts: ExpressionContexts): Record<string, string> =>
  Object.fromEntries(
    Object.entries(isRecord(env) ? env : {}).map(([k, v]) => [
      k,
      substitute(v === null ? '' : String(v), contexts),
    ]),
  )

function conditionOf(value: unknown, contexts: ExpressionContexts): JobCondition {
  if (value === undefined || value === null) return { kind: 'success' }
  const text = conditionText(String(value))
  const simple: Record<string, JobCondition> = {
    'success()': { kind: 'success' },
    'always()': { kind: 'always' },
    'failure()': { kind: 'failure' },
    'cancelled()': { kind: 'cancelled' },
  }
  return (
    simple[text.replace(/\s+/g, '')] ?? {
      kind: 'expression',
      expression: text,
      contexts: {
        ...(contexts.github && { github: contexts.github }),
        ...(contexts.inputs && { inputs: contexts.inputs }),
      },
    }
  )
}

/** A boolean field that may be an expression (`continue-on-error: ${{ matrix.experimental }}`). */
function flag(value: unknown, fallback: boolean, contexts: ExpressionContexts): boolean {
  if (value === undefined || value === null) return fallback
  if (typeof value === 'boolean') return value
  return truthy(evaluate(conditionText(String(value)), contexts))
}

function stepsOf(job: Plain, contexts: ExpressionContexts): CiStep[] {
  return asList(job.steps)
    .filter(isRecord)
    .map((step) => {
      const env = strings(step.env, { ...contexts, env: { ...contexts.env, ...strings(step.env, contexts) } })
      const stepContexts = { ...contexts, env: { ...contexts.env, ...env } }
      const run = typeof step.run === 'string' ? substitute(step.run, stepContexts) : undefined
      const uses = typeof step.uses === 'string' ? step.uses : undefined
      const label =
        step.name !== undefined
          ? substitute(String(step.name), stepContexts)
          : run
            ? (run.split('\n')[0] as string)
            : (uses ?? '')
      return {
        label,
        ...(run !== undefined && { run }),
        ...(uses !== undefined && { uses }),
        env,
        continueOnError: flag(step['continue-on-error'], false, stepContexts),
      }
    })
}

function servicesOf(job: Plain): CiJob['services'] {
  return Object.entries(isRecord(job.services) ? job.services : {}).map(([name, service]) => {
    const image = isRecord(service) ? service.image : service
    return typeof image === 'string' ? { name, image } : { name }
  })
}

/** The inputs of a workflow: its declared defaults (workflow_call or workflow_dispatch), then `given`. */
function inputsOf(plain: Plain, given: Plain): Plain {
  const on = isRecord(plain.on) ? plain.on : {}
  const inputs: Plain = {}
  for (const trigger of ['workflow_dispatch', 'workflow_call']) {
    const declared =
      isRecord(on[trigger]) && isRecord((on[trigger] as Plain).inputs)
        ? ((on[trigger] as Plain).inputs as Plain)
        : {}
    for (const [name, input] of Object.entries(declared))
      if (isRecord(input) && input.default !== undefined) inputs[name] = input.default
  }
  return { ...inputs, ...given }
}

interface ReadOptions {
  root: string
  file: string
  inputs?: Plain
  /** For a called workflow: the caller's id and name, prefixed to its jobs (`enterprise / test`). */
  prefix?: { id: string; name: string }
  /** The files being read, outermost first: a reusable workflow calling itself is refused. */
  calling?: string[]
}

async function readJobs(
  options: ReadOptions,
): Promise<{ name: string; jobs: CiJob[]; reusableOnly: boolean }> {
  const { root, file } = options
  const { plain, lines, graphErrors } = await parseFile(root, file)
  const inputs = inputsOf(plain, options.inputs ?? {})
  const github = localGithubContext(root, typeof plain.name === 'string' ? plain.name : file)
  const jobsPlain = isRecord(plain.jobs) ? plain.jobs : {}
  const byKey = new Map<string, CiJob[]>()
  /** Each expansion's needs as the file writes them (job keys), resolved once every key is known. */
  const written = new Map<CiJob, string[]>()
  for (const [key, value] of Object.entries(jobsPlain)) {
    const job = isRecord(value) ? value : {}
    const line = lines.get(key)
    const strategy = isRecord(job.strategy) ? job.strategy : {}
    const notes: string[] = []
    let combinations: (Matrix | undefined)[] = [undefined]
    if (strategy.matrix !== undefined) {
      if (typeof strategy.matrix === 'string')
        notes.push(`matrix from an expression (${strategy.matrix}), not expanded locally`)
      else
        try {
          combinations = expandMatrix(strategy.matrix)
        } catch (error) {
          if (error instanceof MatrixError)
            throw new WorkflowError(file, line, `job '${key}': ${error.message}`)
          throw error
        }
    }
    const failFast = flag(strategy['fail-fast'], true, { github, inputs })
    const expansions: CiJob[] = []
    for (const matrix of combinations)
      try {
        await expand(matrix)
      } catch (error) {
        // An expression GitHub's evaluator refuses (an unknown function, a syntax error).
        if (error instanceof WorkflowError) throw error
        throw new WorkflowError(file, line, `job '${key}': ${(error as Error).message}`)
      }
    byKey.set(key, expansions)
    async function expand(matrix: Matrix | undefined): Promise<void> {
      const contexts: ExpressionContexts = { github, inputs, ...(matrix && { matrix }) }
      const env = {
        ...strings(plain.env, contexts),
        ...strings(job.env, { ...contexts, env: strings(plain.env, contexts) }),
      }
      const rawName = job.name === undefined ? key : String(job.name)
      const name = hasExpression(rawName)
        ? substitute(rawName, { ...contexts, env })
        : expandedName(rawName, matrix)
      const local = { id: expandedName(key, matrix), name }
      const id = options.prefix ? `${options.prefix.id} / ${local.id}` : local.id
      const shown = options.prefix ? `${options.prefix.name} / ${name}` : name
      const base: CiJob = {
        id,
        key,
        name: shown,
        ...(matrix && { matrix }),
        needs: [],
        condition: conditionOf(job.if, contexts),
        continueOnError: flag(job['continue-on-error'], false, contexts),
        failFast,
        env,
        steps: [],
        services: servicesOf(job),
        notes: [...notes],
        file,
        ...(line !== undefined && { line }),
      }
      const needs = asList(job.needs).map(String)
      if (typeof job.uses === 'string') {
        base.calls = job.uses
        if (!job.uses.startsWith('./')) {
          base.notes.push(`calls a workflow of another repository (${job.uses}), not read locally`)
          written.set(base, needs)
          expansions.push(base)
          return
        }
        const called = job.uses.replace(/^\.\//, '').replace(/@.*$/, '')
        if ((options.calling ?? [file]).includes(called))
          throw new WorkflowError(
            file,
            line,
            `job '${key}' calls ${called}, which is already being called: a loop`,
          )
        const withInputs = Object.fromEntries(
          Object.entries(isRecord(job.with) ? job.with : {}).map(([k, v]) => [
            k,
            typeof v === 'string' ? substitute(v, contexts) : v,
          ]),
        )
        const inner = await readJobs({
          root,
          file: called,
          inputs: withInputs,
          prefix: { id, name: shown },
          calling: [...(options.calling ?? [file]), called],
        })
        for (const innerJob of inner.jobs) {
          // The caller's env does not reach a called workflow; its condition and needs do.
          if (innerJob.needs.length === 0) written.set(innerJob, needs)
          else written.set(innerJob, [])
          if (base.condition.kind !== 'success' && innerJob.needs.length === 0)
            innerJob.condition = base.condition
          innerJob.continueOnError ||= base.continueOnError
          innerJob.key = key
          if (matrix) innerJob.matrix = { ...matrix, ...innerJob.matrix }
          expansions.push(innerJob)
        }
        return
      }
      base.steps = stepsOf(job, { ...contexts, env })
      written.set(base, needs)
      expansions.push(base)
    }
  }
  const jobs = [...byKey.values()].flat()
  for (const job of jobs) {
    const keys = written.get(job)
    if (!keys) continue
    // A need on a matrix job (or a job calling a workflow) is a need on each of its expansions.
    job.needs.push(
      ...keys.flatMap(
        (k) => byKey.get(k)?.map((j) => j.id) ?? [`${options.prefix ? `${options.prefix.id} / ` : ''}${k}`],
      ),
    )
  }
  checkDag(jobs)
  if (graphErrors[0]) throw graphErrors[0]
  const on = plain.on
  const triggers =
    typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : Object.keys(isRecord(on) ? on : {})
  const reusableOnly = triggers.length === 1 && triggers[0] === 'workflow_call'
  return { name: typeof plain.name === 'string' ? plain.name : file, jobs, reusableOnly }
}

/** `file` relative to `root` (`.github/workflows/main.yml`), read and expanded. */
export async function readGithubWorkflow(root: string, file: string): Promise<CiWorkflow> {
  const relativeFile = relative(root, join(root, file))
  const { name, jobs, reusableOnly } = await readJobs({ root, file: relativeFile })
  return { kind: 'github', file: relativeFile, name, reusableOnly, jobs }
}
