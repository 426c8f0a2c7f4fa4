// `testbed doctor [--json]`: what this machine can provide. Every provider of every registered service,
// in a run's order, checked without starting anything; the Docker engine, Compose, Node. Exit status 1
// when a service a pipeline requires cannot be had.

import { renderText } from '../doctor/render-text.js'
import { buildReport } from '../doctor/report.js'
import { scrub, secretsOf } from '../doctor/scrub-secrets.js'
import { loadConfig } from '../load-config.js'

export interface DoctorOptions {
  cwd: string
  config?: string
  json: boolean
}

export async function runDoctor(options: DoctorOptions): Promise<number> {
  const loaded = await loadConfig(options.cwd, options.config)
  const report = scrub(await buildReport(loaded), secretsOf(process.env))
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report))
  return report.problems.length ? 1 : 0
}
