// A GitLab CI pipeline (`.gitlab-ci.yml`) as CiJobs: `stages` (default build, test, deploy, with
// .pre first and .post last), each job's `stage` (default test), `needs` (without it a job waits for
// every job of the earlier stages; `needs: []` waits for none), `parallel: matrix` (each entry's
// cross product; a need on such a job is a need on all of its jobs), `allow_failure`, `when`.
import { readFileSync } from 'node:fs'
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml'
import { checkDag } from './dag.js'
import { type CiJob, type CiWorkflow, type JobCondition, type Matrix, WorkflowError } from './model.js'

export const GITLAB_MATRIX_LIMIT = 200
const DEFAULT_STAGES = ['build', 'test', 'deploy']
const KEYWORDS = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'pages',
])

type Plain = Record<string, unknown>
const isRecord = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const asList = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]

const variables = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries(isRecord(value) ? value : {}).map(([k, v]) => [
      k,
      String(isRecord(v) ? (v.value ?? '') : v),
    ]),
  )

/** parallel: matrix — each entry a mapping of variables to a value or a list, crossed. */
function parallelMatrix(value: unknown, file: string, line: number | undefined, key: string): Matrix[] {
  const entries = asList(value)
  const combinations: Matrix[] = []
  for (const entry of entries) {
    if (!isRecord(entry))
      throw new WorkflowError(file, line, `job '${key}': parallel: matrix entries must be mappings`)
    let product: Matrix[] = [{}]
    for (const [name, values] of Object.entries(entry))
      product = product.flatMap((c) => asList(values).map((v) => ({ ...c, [name]: v })))
    combinations.push(...product)
  }
  if (combinations.length > GITLAB_MATRIX_LIMIT)
    throw new WorkflowError(
      file,
      line,
      `job '${key}': parallel: matrix makes ${combinations.length} jobs, more than GitLab's ${GITLAB_MATRIX_LIMIT}`,
    )
  return combinations
}

/** GitLab expands `$VAR` and `${VAR}` in a variable's value from the job's other variables. */
function expandReferences(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace(/\$\{?(\w+)\}?/g, (whole, name: string) =>
        name !== k && name in env ? (env[name] as string) : whole,
      ),
    ]),
  )
}

const conditionOf = (when: unknown): JobCondition =>
  when === 'always' ? { kind: 'always' } : when === 'on_failure' ? { kind: 'failure' } : { kind: 'success' }

export function readGitlabCi(root: string, file: string): CiWorkflow {
  let content: string
  try {
    content = readFileSync(`${root}/${file}`, 'utf8')
  } catch (error) {
    throw new WorkflowError(file, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`)
  }
  const lineCounter = new LineCounter()
  const document = parseDocument(content, { lineCounter, prettyErrors: false })
  const [error] = document.errors
  if (error)
    throw new WorkflowError(
      file,
      lineCounter.linePos(error.pos[0]).line,
      error.message.split('\n')[0] as string,
    )
  const plain = document.toJS() as unknown
  if (!isRecord(plain)) throw new WorkflowError(file, 1, 'is not a mapping of jobs')
  const lines = new Map<string, number>()
  if (isMap(document.contents))
    for (const pair of document.contents.items) {
      const keyNode = pair.key as { value?: unknown; range?: [number, number, number] }
      if (keyNode.range) lines.set(String(keyNode.value), lineCounter.linePos(keyNode.range[0]).line)
    }
  const declared = plain.stages === undefined ? DEFAULT_STAGES : asList(plain.stages).map(String)
  if (plain.stages !== undefined && !isSeq(document.get('stages', true)))
    throw new WorkflowError(file, lines.get('stages'), 'stages must be a list')
  const stages = ['.pre', ...declared.filter((s) => s !== '.pre' && s !== '.post'), '.post']
  const globalVariables = variables(plain.variables)
  const byKey = new Map<string, CiJob[]>()
  const written = new Map<CiJob, string[] | undefined>()
  for (const [key, value] of Object.entries(plain)) {
    if (KEYWORDS.has(key) || key.startsWith('.') || !isRecord(value)) continue
    if (value.script === undefined && value.trigger === undefined && value.extends === undefined) continue
    const line = lines.get(key)
    const stage = value.stage === undefined ? 'test' : String(value.stage)
    if (!stages.includes(stage))
      throw new WorkflowError(
        file,
        line,
        `job '${key}' is in stage '${stage}', which is not in stages (${stages.join(', ')})`,
      )
    const matrix =
      isRecord(value.parallel) && value.parallel.matrix !== undefined
        ? parallelMatrix(value.parallel.matrix, file, line, key)
        : [undefined]
    const expansions: CiJob[] = matrix.map((m) => {
      const id = m ? `${key}: [${Object.values(m).map(String).join(', ')}]` : key
      const env = expandReferences({
        ...globalVariables,
        ...variables(value.variables),
        ...(m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]))),
      })
      const script = [
        ...asList(
          value.before_script ??
            (isRecord(plain.default) ? plain.default.before_script : undefined) ??
            plain.before_script,
        ),
        ...asList(value.script),
      ].map(String)
      const job: CiJob = {
        id,
        key,
        name: id,
        ...(m && { matrix: m }),
        needs: [],
        condition: conditionOf(value.when),
        continueOnError: value.allow_failure === true || isRecord(value.allow_failure),
        failFast: false,
        env,
        steps: script.map((run) => ({ label: run, run, env: {}, continueOnError: false })),
        services: asList(value.services ?? plain.services).map((s) => {
          const image = String(isRecord(s) ? s.name : s)
          const alias =
            isRecord(s) && typeof s.alias === 'string'
              ? s.alias
              : ((image.split('/').pop() as string).split(':')[0] as string)
          return { name: alias, image }
        }),
        stage,
        notes: [],
        file,
        ...(line !== undefined && { line }),
      }
      const needs =
        value.needs === undefined
          ? undefined
          : asList(value.needs).map((n) => String(isRecord(n) ? n.job : n))
      written.set(job, needs)
      return job
    })
    byKey.set(key, expansions)
  }
  const jobs = [...byKey.values()].flat()
  for (const job of jobs) {
    const needs = written.get(job)
    if (needs) job.needs = needs.flatMap((k) => byKey.get(k)?.map((j) => j.id) ?? [k])
    else {
      // Without needs: every job of the stages before this one's.
      const before = stages.slice(0, stages.indexOf(job.stage as string))
      job.needs = jobs.filter((j) => before.includes(j.stage as string)).map((j) => j.id)
    }
  }
  checkDag(jobs)
  return { kind: 'gitlab', file, name: file, reusableOnly: false, jobs }
}
