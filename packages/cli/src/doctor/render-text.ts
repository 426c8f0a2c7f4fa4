// The report for people: the machine, then one table per service (provider, applies, time, why and
// what it found), then what the pipelines require.
import type { ProviderCheck, ServiceDiagnosis } from '@testbed/core/config'
import type { DoctorReport } from './report.js'

const applies = (c: ProviderCheck) => (c.applicable === null ? '?' : c.applicable ? 'yes' : 'no')

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows.map((r) =>
    `${indent}${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  )
}

function serviceLines(s: ServiceDiagnosis): string[] {
  const title = `${s.name}${s.description ? ` (${s.description})` : ''}: ${s.verdict.state} — ${s.verdict.reason}`
  if (!s.providers.length) return [title]
  const rows = [['provider', 'applies', 'ms', 'why']]
  const found: Array<[number, string[]]> = []
  for (const c of s.providers) {
    rows.push([c.provider, applies(c), String(c.ms), c.problem ? `${c.reason}: ${c.problem}` : c.reason])
    found.push([rows.length - 1, Object.entries(c.found).map(([k, v]) => `${k}: ${v}`)])
  }
  const lines = table(rows)
  // What a check found goes under its row, in the "why" column.
  const whyColumn = (lines[0] ?? '').indexOf('why')
  const out = [title]
  lines.forEach((line, i) => {
    out.push(line)
    for (const entry of found.find(([row]) => row === i)?.[1] ?? [])
      out.push(`${' '.repeat(whyColumn + 2)}${entry}`)
  })
  return out
}

export function renderText(report: DoctorReport): string {
  const { node, docker, compose } = report.machine
  const lines = [
    `testbed doctor: ${report.config}`,
    '',
    'machine',
    ...table([
      ['node', node.version, node.reason, ''],
      ['docker', docker.host, `${docker.state}: ${docker.reason}`, `${docker.ms} ms`],
      ['compose', compose.found ? 'found' : 'not found', compose.reason, `${compose.ms} ms`],
    ]),
  ]
  if (report.up) lines.push(`  testbed up: ${report.up}`)
  for (const service of report.services) lines.push('', ...serviceLines(service))
  lines.push('')
  if (!report.required.length) lines.push('no pipeline requires a service')
  else
    lines.push(
      'required by pipelines',
      ...table([
        ['pipeline', 'service', 'state'],
        ...report.required.map((r) => [r.pipeline, r.service, r.state]),
      ]),
    )
  for (const problem of report.problems) lines.push(`✗ ${problem}`)
  return `${lines.join('\n')}\n`
}
