// `testbed ci plan [workflow]` and `testbed ci run [workflow] [--job NAME]`: the repository's CI
// workflows as Testbed sees them, and their Testbed jobs run here in the CI's order.
import { appendFileSync } from 'node:fs'
import type { WorkflowError } from '../ci/model.js'
import { renderMermaid, renderPlan } from '../ci/render-plan.js'
import { jobsNamed, runLocally } from '../ci/run-locally.js'
import { chooseWorkflow, type Plan, planWorkflows } from '../ci/workflows.js'
import { CliError } from '../cli-error.js'
import { loadConfig } from '../load-config.js'

export interface CiOptions {
  cwd: string
  config?: string
}

async function plan(workflow: string | undefined, options: CiOptions): Promise<{ plan: Plan; root: string }> {
  const { testbed, root } = await loadConfig(options.cwd, options.config)
  const chosen = workflow === undefined ? undefined : chooseWorkflow(root, options.cwd, workflow)
  try {
    return { plan: await planWorkflows(root, testbed.pipelines, chosen), root }
  } catch (error) {
    if ((error as Error).name === 'WorkflowError') throw new CliError((error as WorkflowError).message)
    throw error
  }
}

export async function runCiPlan(workflow: string | undefined, options: CiOptions): Promise<number> {
  const { plan: p } = await plan(workflow, options)
  process.stdout.write(renderPlan(p))
  const summary = process.env.GITHUB_STEP_SUMMARY
  if (summary) appendFileSync(summary, `## Testbed CI plan\n\n${renderMermaid(p)}\n`)
  // A check: a plan with mismatches fails, so a CI step running it fails too.
  return p.mismatches.length ? 1 : 0
}

export async function runCiRun(
  workflow: string | undefined,
  options: CiOptions & { job?: string },
): Promise<number> {
  const { plan: p, root } = await plan(workflow, options)
  const runnable = p.shown.filter((m) => !m.workflow.reusableOnly)
  const [reusable] = p.shown
  if (workflow !== undefined && reusable?.workflow.reusableOnly)
    throw new CliError(
      `${reusable.workflow.file} runs only when called (on: workflow_call): run the workflow that calls it`,
    )
  if (runnable.length !== 1)
    throw new CliError(
      `name the workflow to run (workflows: ${p.all
        .filter((m) => !m.workflow.reusableOnly)
        .map((m) => m.workflow.file.replace(/^.*\//, ''))
        .join(', ')})`,
      2,
    )
  const mapping = runnable[0] as (typeof runnable)[number]
  const only = options.job === undefined ? undefined : jobsNamed(mapping, options.job)
  if (only?.length === 0)
    throw new CliError(
      `no job '${options.job}' in ${mapping.workflow.file} (jobs: ${[...new Set(mapping.workflow.jobs.map((j) => j.key))].join(', ')})`,
    )
  const { conclusion } = await runLocally(mapping, {
    root,
    ...(only && { only }),
    write: (text) => process.stdout.write(text),
  })
  return conclusion === 'success' ? 0 : conclusion === 'cancelled' ? 130 : 1
}
