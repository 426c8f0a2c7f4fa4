// The doctor's report: what `--json` prints, and what the text renderer lays out.
import { diagnoseService, type ServiceDiagnosis, upReuse } from '@testbed/core/config'
import { CliError } from '../cli-error.js'
import type { LoadedConfig } from '../load-config.js'
import { type MachineChecks, machineChecks } from './machine.js'

export interface Requirement {
  pipeline: string
  service: string
  state: ServiceDiagnosis['verdict']['state'] | 'not registered'
}

export interface DoctorReport {
  /** The shape's version: fields are only ever added. */
  version: 1
  config: string
  machine: MachineChecks
  /** Whether a run would use `testbed up`'s services, and why not, when there is a state file. */
  up?: string
  services: ServiceDiagnosis[]
  /** Every service a pipeline requires (`require`), and what doctor found for it. */
  required: Requirement[]
  /** Why the exit status is not 0: each required service that cannot be had, naming its pipeline. */
  problems: string[]
}

export async function buildReport({ testbed, root, file }: LoadedConfig): Promise<DoctorReport> {
  const reuse = await upReuse(root).catch((error: Error) => {
    throw new CliError(error.message)
  })
  const [machine, services] = await Promise.all([
    machineChecks(root),
    Promise.all(testbed.services.map((definition) => diagnoseService(definition, reuse))),
  ])
  const required: Requirement[] = []
  const problems: string[] = []
  for (const [pipeline, options] of Object.entries(testbed.pipelines)) {
    for (const service of options.require ?? []) {
      const diagnosis = services.find((s) => s.name === service)
      required.push({ pipeline, service, state: diagnosis?.verdict.state ?? 'not registered' })
      if (!diagnosis)
        problems.push(
          `${service} is required by pipeline ${pipeline}, but no service of that name is registered`,
        )
      else if (diagnosis.verdict.state === 'unavailable')
        problems.push(
          `${service} is required by pipeline ${pipeline}, but cannot be had: ${diagnosis.verdict.reason}`,
        )
    }
  }
  return {
    version: 1,
    config: file,
    machine,
    ...(reuse.note && { up: reuse.note }),
    services,
    required,
    problems,
  }
}
