// What the state file of `testbed up --detach` says, for the commands: nothing, a live process, or a
// stale file (and why). A corrupt file is one error naming it.
import { CorruptState, readState, statePath, type UpState, whyNotLive } from '@testbed/core/config'
import { CliError } from './cli-error.js'

export type UpRecord =
  | { kind: 'none'; file: string }
  | { kind: 'live'; file: string; state: UpState }
  | { kind: 'stale'; file: string; state: UpState; why: string }

export async function upRecord(root: string): Promise<UpRecord> {
  const file = statePath(root)
  let state: UpState | undefined
  try {
    state = await readState(root)
  } catch (error) {
    if (error instanceof CorruptState) throw new CliError(`${error.message} (testbed down removes it)`)
    throw error
  }
  if (!state) return { kind: 'none', file }
  const why = await whyNotLive(state, root)
  return why ? { kind: 'stale', file, state, why } : { kind: 'live', file, state }
}

/** "pid 123, since 2026-12-01T13:40:00.000Z, holding postgres, redis" */
export const describeUp = (state: UpState) =>
  `pid ${state.pid}, since ${state.startedAt}, holding ${state.services.map((s) => s.name).join(', ') || 'nothing'}`
