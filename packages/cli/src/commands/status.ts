// `testbed status [--json]`: what `testbed up --detach` holds — service, provider, endpoint (secrets
// redacted), since when — once its process has answered as the state file says it should.
import { CorruptState, readState, statePath, type UpState, whyNotLive } from '@testbed/core/config'
import { CliError } from '../cli-error.js'
import { configRoot } from '../config-root.js'

export interface StatusOptions {
  cwd: string
  config?: string
  json: boolean
}

type Up = 'up' | 'stale' | 'none'

/** Nothing secret: no exports, no token, no `found` (a connection with its password). */
function publicView(state: UpState) {
  return {
    pid: state.pid,
    checkout: state.checkout,
    startedAt: state.startedAt,
    services: state.services.map(({ name, provider, detail, emulated, endpoint, since }) => ({
      name,
      provider,
      ...(detail && { detail }),
      ...(emulated && { emulated }),
      endpoint,
      since,
    })),
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** Exit status 0 when something is up or nothing is; 1 when the state file is stale. */
export async function runStatus(options: StatusOptions): Promise<number> {
  const root = configRoot(options.cwd, options.config)
  let state: UpState | undefined
  try {
    state = await readState(root)
  } catch (error) {
    if (error instanceof CorruptState) throw new CliError(`${error.message} (testbed down removes it)`)
    throw error
  }
  const why = state && (await whyNotLive(state, root))
  const up: Up = !state ? 'none' : why ? 'stale' : 'up'
  if (options.json) {
    const body = { up, file: statePath(root), ...(why && { stale: why }), ...(state && publicView(state)) }
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    return up === 'stale' ? 1 : 0
  }
  if (!state) {
    process.stdout.write('nothing is up (testbed up --detach starts services and records them here)\n')
    return 0
  }
  const head = why
    ? `stale: ${statePath(root)} names pid ${state.pid}, but ${why} (testbed down removes it)\n`
    : `testbed up: pid ${state.pid}, since ${state.startedAt}\n`
  const rows = [['SERVICE', 'PROVIDER', 'ENDPOINT', 'SINCE']]
  for (const s of publicView(state).services)
    rows.push([s.name, s.emulated ? `${s.provider} (${s.emulated})` : s.provider, s.endpoint, s.since])
  process.stdout.write(`${head}${table(rows)}\n`)
  return why ? 1 : 0
}
