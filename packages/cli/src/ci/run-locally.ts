// `testbed ci run`: a workflow's Testbed steps run here, job by job in the DAG's order (its stages
// in order; within a stage one job after another — a 2-core machine gains little from running
// Vitest runs side by side, and their output stays readable), each with its matrix values and env,
// and the results decided as GitHub decides them. Steps that are not Testbed's (actions, installs,
// builds, lint) are listed with why they were left out. Ctrl-C stops the running step's process
// tree (SIGINT to its process group, as a terminal would, then SIGKILL if it outlives the grace)
// and runs nothing more.
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CiJob, CiStep } from './model.js'
import { execute, type JobOutcome, type JobResult } from './status.js'
import type { JobMapping, WorkflowMapping } from './testbed-mapping.js'

export interface LocalRunOptions {
  root: string
  /** Runs only these jobs (key, id or name); their needs outside the selection count as succeeded. */
  only?: CiJob[]
  write: (text: string) => void
  /** How long a step has after SIGINT before its process group is killed. */
  graceMs?: number
}

const ICON: Record<JobResult, string> = { success: '✓', failure: '✗', cancelled: '⊘', skipped: '○' }

/** The jobs `name` picks: by key (every expansion), id or name. */
export function jobsNamed(mapping: WorkflowMapping, name: string): CiJob[] {
  const jobs = mapping.workflow.jobs
  return jobs.filter((j) => j.key === name || j.id === name || j.name === name)
}

export async function runLocally(
  mapping: WorkflowMapping,
  options: LocalRunOptions,
): Promise<{ conclusion: JobResult; outcomes: Map<string, JobOutcome> }> {
  const { write } = options
  const byId = new Map<string, JobMapping>(mapping.jobs.map((m) => [m.job.id, m]))
  const selected = options.only
    ? options.only.map((job) => ({
        ...job,
        needs: job.needs.filter((n) => options.only?.some((o) => o.id === n)),
      }))
    : mapping.workflow.jobs
  let cancelled = false
  let running: { pid: number; closed: Promise<unknown> } | undefined
  const onSigint = () => {
    if (cancelled) return
    cancelled = true
    write('\ntestbed ci run: interrupted — stopping the running step, running nothing more\n')
    if (!running) return
    const { pid, closed } = running
    signalGroup(pid, 'SIGINT')
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), options.graceMs ?? 30_000)
    void closed.then(() => clearTimeout(timer))
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)

  const runStep = (step: CiStep, env: Record<string, string>): Promise<'success' | 'failure' | 'cancelled'> =>
    new Promise((resolvePromise) => {
      // GitHub's default shell on Linux runners: bash --noprofile --norc -eo pipefail.
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run as string], {
        cwd: options.root,
        env: { ...process.env, CI: 'true', ...env },
        stdio: ['ignore', 'inherit', 'inherit'],
        detached: true,
      })
      const closed = new Promise<number | null>((r) => {
        child.once('close', (code) => r(code))
        child.once('error', (error) => {
          write(`  could not start bash: ${error.message}\n`)
          r(127)
        })
      })
      running = { pid: child.pid as number, closed }
      void closed.then(async (code) => {
        // The step's shell is gone; what it started may not be (Vitest's workers finishing their
        // SIGINT, a server put in the background). As the runner does at a job's end, nothing of
        // the step outlives it: the group gets time to go, then SIGKILL.
        await groupGone(child.pid as number, cancelled ? (options.graceMs ?? 30_000) : 0)
        running = undefined
        resolvePromise(cancelled ? 'cancelled' : code === 0 ? 'success' : 'failure')
      })
    })

  try {
    const result = await execute(selected, {
      cancelled: () => cancelled,
      async run(job) {
        const mapped = byId.get(job.id) as JobMapping
        const matrix = job.matrix ? `  matrix: ${JSON.stringify(job.matrix)}` : ''
        write(`\n▶ ${job.id}${job.name !== job.id ? ` "${job.name}"` : ''}${matrix}\n`)
        if (mapped.testbed.length === 0) {
          write('  no Testbed step: nothing to run locally (counted as succeeded)\n')
          for (const other of mapped.others) write(`  left out: ${other.step.label} — ${other.why}\n`)
          return 'success'
        }
        let failed = false
        for (const step of job.steps) {
          const testbed = mapped.testbed.find((t) => t.step === step)
          if (!testbed) {
            write(`  left out: ${step.label} — ${mapped.others.find((o) => o.step === step)?.why ?? ''}\n`)
            continue
          }
          if (failed || cancelled) {
            write(
              `  not run: ${step.label} — ${cancelled ? 'the run was cancelled' : 'an earlier step failed'}\n`,
            )
            continue
          }
          const strict = Object.entries(testbed.env)
            .filter(([k]) => /^TESTBED_(REQUIRE|REAL)$/.test(k))
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
          write(`  $ ${step.run?.trim().split('\n').join('\n    ')}${strict ? `\n    (${strict})` : ''}\n`)
          const result = await runStep(step, testbed.env)
          if (result === 'cancelled') return 'cancelled'
          if (result === 'failure') {
            write(`  step failed: ${step.label}${step.continueOnError ? ' (continue-on-error)' : ''}\n`)
            if (!step.continueOnError) failed = true
          }
        }
        return failed ? 'failure' : 'success'
      },
      settled(job, outcome) {
        const extra = outcome.continuedOnError
          ? ' (failed, continue-on-error)'
          : outcome.why
            ? ` (${outcome.why})`
            : ''
        write(`${ICON[outcome.result]} ${job.id}: ${outcome.result}${extra}\n`)
      },
    })
    write(`\nworkflow ${mapping.workflow.file}: ${result.conclusion}\n`)
    return result
  } finally {
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
  }
}

/** Sends `signal` to the process group; false when the group has no process left. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Resolves once process group `pid` is empty: it gets `graceMs` to go on its own (SIGTERM first
 * when there is no grace), then SIGKILL, then is waited for (bounded: a process that outlives
 * SIGKILL is stuck in the kernel, and the run goes on).
 */
async function groupGone(pid: number, graceMs: number): Promise<void> {
  const until = async (ms: number) => {
    const deadline = performance.now() + ms
    while (signalGroup(pid, 0)) {
      if (performance.now() > deadline) return false
      await sleep(50)
    }
    return true
  }
  if (!signalGroup(pid, 0)) return
  if (graceMs === 0) {
    signalGroup(pid, 'SIGTERM')
    if (await until(5_000)) return
  } else if (await until(graceMs)) return
  signalGroup(pid, 'SIGKILL')
  await until(5_000)
}
