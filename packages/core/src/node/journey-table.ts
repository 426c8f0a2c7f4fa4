import type { TestCase, TestModule, TestSuite } from 'vitest/node'
import '../runtime/journey/journey-meta.js'

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
const firstLine = (text: string) => text.split('\n', 1)[0] ?? ''

interface Row {
  icon: string
  step: string
  duration: string
  reason: string
}

function row(step: TestCase): Row {
  const result = step.result()
  const duration = step.diagnostic()?.duration
  const time = duration === undefined || result.state === 'skipped' ? '—' : seconds(duration)
  if (result.state === 'passed') {
    const retries = step.diagnostic()?.retryCount ?? 0
    const reason = step.meta().testbedStep?.rerunFromStart
      ? 'passed after the journey ran again from its first step'
      : retries
        ? `passed after ${retries} ${retries === 1 ? 'retry' : 'retries'}`
        : ''
    return { icon: '✓', step: step.name, duration: time, reason }
  }
  if (result.state === 'failed')
    return {
      icon: '✗',
      step: step.name,
      duration: time,
      reason: firstLine(result.errors.at(-1)?.message ?? ''),
    }
  if (result.state === 'skipped')
    return { icon: '↓', step: step.name, duration: time, reason: result.note ?? 'did not run (filtered out)' }
  return { icon: '…', step: step.name, duration: time, reason: 'did not finish' }
}

function journeysOf(modules: ReadonlyArray<TestModule>): TestSuite[] {
  return modules.flatMap((m) => [...m.children.allSuites()].filter((s) => s.meta().testbedJourney))
}

/** Whether any of the journey's steps took part in the run (not all filtered out or outside the pipeline). */
const ran = (steps: TestCase[]) =>
  steps.some((s) => {
    const result = s.result()
    return result.state !== 'skipped' || result.note !== undefined
  })

interface JourneyReport {
  /** `[main] scheduling: 7 passed, 1 failed, 0 skipped, 2.31 s` */
  heading: string
  rows: Row[]
}

/** The journeys that took part in the run, each with its steps' rows, in order. */
function journeyReports(modules: ReadonlyArray<TestModule>): JourneyReport[] {
  return journeysOf(modules).flatMap((journey) => {
    const steps = [...journey.children.tests()].filter((t) => t.meta().testbedStep)
    if (!ran(steps)) return []
    const rows = steps.map(row)
    const count = (icon: string) => rows.filter((r) => r.icon === icon).length
    const total = steps.reduce((sum, s) => sum + (s.diagnostic()?.duration ?? 0), 0)
    const project = journey.project.name ? `[${journey.project.name}] ` : ''
    const heading = `${project}${journey.fullName}: ${count('✓')} passed, ${count('✗')} failed, ${count('↓')} skipped, ${seconds(total)}`
    return [{ heading, rows }]
  })
}

/**
 * Each journey of the run as a table of its steps, in order: status, duration, and why a step
 * failed, was skipped or needed a retry.
 */
export function journeyTables(modules: ReadonlyArray<TestModule>): string[] {
  const lines: string[] = []
  for (const { heading, rows } of journeyReports(modules)) {
    lines.push(`   ${heading}`)
    const width = (key: 'step' | 'duration') => Math.max(...rows.map((r) => r[key].length))
    for (const r of rows) {
      const cells = `${r.icon} ${r.step.padEnd(width('step'))}  ${r.duration.padEnd(width('duration'))}`
      lines.push(`     ${r.reason ? `${cells}  ${r.reason}` : cells.trimEnd()}`)
    }
  }
  return lines.length ? [' Journeys', ...lines] : []
}

const cell = (text: string) => text.replaceAll('|', '\\|')

/** The same tables in Markdown, for `$GITHUB_STEP_SUMMARY`. */
export function journeyMarkdown(modules: ReadonlyArray<TestModule>): string[] {
  const reports = journeyReports(modules)
  if (!reports.length) return []
  return [
    '**Journeys**',
    '',
    ...reports.flatMap(({ heading, rows }) => [
      cell(heading),
      '',
      '| | step | duration | reason |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.icon} | ${cell(r.step)} | ${r.duration} | ${cell(r.reason)} |`),
      '',
    ]),
  ]
}
