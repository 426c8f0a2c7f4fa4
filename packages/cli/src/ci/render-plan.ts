// A plan as people read it (a text tree: stages, jobs, needs, matrix values, what each Testbed step
// runs, mismatches) and as Mermaid for the step summary.
import { stagesOf } from './dag.js'
import type { CiJob } from './model.js'
import type { JobMapping, WorkflowMapping } from './testbed-mapping.js'
import type { Plan } from './workflows.js'

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))
const matrixText = (job: CiJob) =>
  job.matrix
    ? Object.entries(job.matrix)
        .map(([k, v]) => `${k}=${show(v)}`)
        .join(', ')
    : undefined

function jobLines(mapping: JobMapping, last: boolean): string[] {
  const { job, testbed, others } = mapping
  const branch = last ? '└── ' : '├── '
  const indent = last ? '    ' : '│   '
  const flags = [
    job.continueOnError && 'continue-on-error',
    job.condition.kind !== 'success' &&
      `if: ${job.condition.kind === 'expression' ? job.condition.expression : `${job.condition.kind}()`}`,
  ]
    .filter(Boolean)
    .join(', ')
  const lines = [
    `${branch}${job.id}${job.name !== job.id ? `  "${job.name}"` : ''}${flags ? `  [${flags}]` : ''}`,
  ]
  const detail: string[] = []
  if (job.needs.length) detail.push(`needs: ${job.needs.join(', ')}`)
  const matrix = matrixText(job)
  if (matrix) detail.push(`matrix: ${matrix}`)
  if (job.stage) detail.push(`stage: ${job.stage}`)
  if (job.services.length)
    detail.push(
      `services: ${job.services.map((s) => (s.image ? `${s.name} (${s.image})` : s.name)).join(', ')}`,
    )
  for (const step of testbed) {
    const pipelines =
      [
        ...step.pipelines,
        ...step.unknown.map((u) => `${u} (not a pipeline)`),
        ...step.unresolved.map((u) => `${u} (empty here)`),
      ].join(', ') || 'no pipeline'
    detail.push(`testbed: ${pipelines} ← ${step.step.label}`)
    for (const via of step.via) detail.push(`  via ${via}`)
    detail.push(`  require: ${step.require.join(',') || '—'}  real: ${step.real.join(',') || '—'}`)
  }
  if (!testbed.length) detail.push('testbed: none (no step runs Vitest or testbed)')
  if (others.length) detail.push(`not run locally: ${others.map((o) => o.step.label).join('; ')}`)
  for (const note of job.notes) detail.push(`note: ${note}`)
  return [...lines, ...detail.map((d) => `${indent}${d}`)]
}

export function renderWorkflow(mapping: WorkflowMapping): string[] {
  const { workflow, jobs } = mapping
  const byId = new Map(jobs.map((m) => [m.job.id, m]))
  const stages = stagesOf(workflow.jobs)
  const lines = [
    `${workflow.file} — ${workflow.name}${workflow.reusableOnly ? ' (reusable: checked where it is called)' : ''}`,
  ]
  stages.forEach((stage, i) => {
    lines.push(`stage ${i + 1}${stage.length > 1 ? ` (${stage.length} jobs in parallel)` : ''}`)
    stage.forEach((job, j) => {
      lines.push(...jobLines(byId.get(job.id) as JobMapping, j === stage.length - 1))
    })
  })
  return lines
}

export function renderPlan(plan: Plan): string {
  const lines: string[] = []
  for (const mapping of plan.shown) lines.push(...renderWorkflow(mapping), '')
  const policy = plan.policy ? `policy: ${plan.policy.file}` : 'policy: none (no testbed.policy.json)'
  lines.push(`pipelines: ${Object.keys(plan.pipelines).join(', ')}; ${policy}`)
  if (plan.mismatches.length === 0) lines.push('mismatches: none')
  else {
    lines.push(`mismatches: ${plan.mismatches.length}`)
    for (const m of plan.mismatches) lines.push(`  ✗ ${m.message}`)
  }
  return `${lines.join('\n')}\n`
}

const label = (text: string) => text.replace(/"/g, '#quot;')

/** The workflows' DAGs as a Mermaid flowchart, a subgraph per workflow. */
export function renderMermaid(plan: Plan): string {
  const lines = ['```mermaid', 'flowchart LR']
  plan.shown.forEach((mapping, w) => {
    const ids = new Map(mapping.workflow.jobs.map((job, j) => [job.id, `w${w}j${j}`]))
    lines.push(`  subgraph w${w}["${label(mapping.workflow.file)}"]`)
    for (const m of mapping.jobs) {
      const pipelines = [...new Set(m.testbed.flatMap((t) => t.pipelines))]
      lines.push(
        `    ${ids.get(m.job.id)}["${label(m.job.id)}${pipelines.length ? `<br/>testbed: ${label(pipelines.join(', '))}` : ''}"]`,
      )
    }
    for (const job of mapping.workflow.jobs)
      for (const need of job.needs) lines.push(`    ${ids.get(need)} --> ${ids.get(job.id)}`)
    lines.push('  end')
  })
  lines.push('```')
  return `${lines.join('\n')}\n`
}
