// The repository's CI workflows: `.github/workflows/*.yml` and `.gitlab-ci.yml`, found, chosen by
// name or path, read and mapped onto the repository's pipelines.
import { existsSync, readdirSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import type { PipelineOptions } from '@testbed/core/config'
import { CliError } from '../cli-error.js'
import { readGithubWorkflow } from './github-workflow.js'
import { readGitlabCi } from './gitlab-ci.js'
import type { CiWorkflow } from './model.js'
import {
  type Mismatch,
  mapJob,
  mismatchesOf,
  type PolicyRead,
  readPolicy,
  scriptsOf,
  type WorkflowMapping,
} from './testbed-mapping.js'

const GITHUB_DIR = '.github/workflows'
const GITLAB_FILE = '.gitlab-ci.yml'

/** Every workflow file of the repository, relative to its root, GitHub's in name order then GitLab's. */
export function workflowFiles(root: string): string[] {
  const dir = join(root, GITHUB_DIR)
  const github = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => `${GITHUB_DIR}/${f}`)
    : []
  return [...github, ...(existsSync(join(root, GITLAB_FILE)) ? [GITLAB_FILE] : [])]
}

/** `main`, `main.yml`, `.github/workflows/main.yml` or a path from `cwd`: the file, relative to root. */
export function chooseWorkflow(root: string, cwd: string, asked: string): string {
  const files = workflowFiles(root)
  const fromCwd = relative(root, isAbsolute(asked) ? asked : resolve(cwd, asked))
  const found = files.find(
    (f) =>
      f === asked ||
      f === fromCwd ||
      f === `${GITHUB_DIR}/${asked}` ||
      f.replace(/^.*\/|\.ya?ml$/g, '') === asked,
  )
  if (found) return found
  if (existsSync(join(root, fromCwd)) && !fromCwd.startsWith('..')) return fromCwd
  throw new CliError(
    `no workflow '${asked}' (workflows: ${files.length ? files.map((f) => f.replace(/^.*\//, '')).join(', ') : `none in ${GITHUB_DIR} or ${GITLAB_FILE}`})`,
  )
}

export const readWorkflow = (root: string, file: string): Promise<CiWorkflow> =>
  file.endsWith(GITLAB_FILE) ? Promise.resolve(readGitlabCi(root, file)) : readGithubWorkflow(root, file)

export interface Plan {
  /** The workflows asked for (all of them when none was named). */
  shown: WorkflowMapping[]
  /** Every workflow of the repository, the mismatches' ground: a pipeline may run in another file. */
  all: WorkflowMapping[]
  mismatches: Mismatch[]
  policy: PolicyRead | undefined
  pipelines: Record<string, PipelineOptions>
}

export async function planWorkflows(
  root: string,
  pipelines: Record<string, PipelineOptions>,
  chosen: string | undefined,
): Promise<Plan> {
  const files = workflowFiles(root)
  if (chosen && !files.includes(chosen)) files.push(chosen)
  if (files.length === 0)
    throw new CliError(`no workflows: nothing in ${GITHUB_DIR} or ${GITLAB_FILE} under ${root}`)
  const scripts = scriptsOf(root)
  const names = Object.keys(pipelines)
  const all: WorkflowMapping[] = []
  const unreadable: Mismatch[] = []
  for (const file of files) {
    try {
      const workflow = await readWorkflow(root, file)
      all.push({ workflow, jobs: workflow.jobs.map((job) => mapJob(job, names, scripts)) })
    } catch (error) {
      // With a workflow named, another's error is reported, not fatal: it may be the one being fixed.
      if (!chosen || file === chosen || (error as Error).name !== 'WorkflowError') throw error
      unreadable.push({ kind: 'unreadable', message: `${(error as Error).message} (not counted)` })
    }
  }
  const policy = readPolicy(root)
  const shown = chosen ? all.filter((m) => m.workflow.file === chosen) : all
  return {
    shown,
    all,
    mismatches: [...unreadable, ...mismatchesOf(all, pipelines, policy)],
    policy,
    pipelines,
  }
}
