// `testbed env [service…] [--format F]`: the exports of what `testbed up --detach` holds, as `up`
// printed them (for another shell: `eval "$(npx testbed env)"`).

import { CliError } from '../cli-error.js'
import { configRoot } from '../config-root.js'
import { type ExportFormat, mergedEnv, writeExports } from '../exports-format.js'
import { upRecord } from '../up-record.js'

export interface EnvOptions {
  cwd: string
  config?: string
  format: ExportFormat
}

export async function runEnv(services: string[], options: EnvOptions): Promise<number> {
  const record = await upRecord(configRoot(options.cwd, options.config))
  if (record.kind === 'none') throw new CliError('nothing is up: testbed up --detach starts services first')
  if (record.kind === 'stale')
    throw new CliError(`${record.file} is stale: ${record.why} (testbed down removes it)`)
  const held = record.state.services
  const unknown = services.filter((name) => !held.some((s) => s.name === name))
  if (unknown.length)
    throw new CliError(
      `testbed up does not hold ${unknown.join(', ')}: it holds ${held.map((s) => s.name).join(', ') || 'nothing'}`,
    )
  const chosen = services.length ? held.filter((s) => services.includes(s.name)) : held
  await writeExports(mergedEnv(chosen), options.format)
  return 0
}
