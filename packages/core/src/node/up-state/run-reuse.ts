// Whether a test run uses the services of `testbed up --detach`, and what it says about it.

import { whyNotLive } from './liveness.js'
import { CorruptState, readState, STATE_FILE, type UpState } from './state-file.js'

export interface UpReuse {
  /** The services to take from `up`, when the run uses them. */
  state?: UpState
  /** One line for the service table: what was used, or why the state file was not. */
  note?: string
}

/**
 * `TESTBED_UP`: `auto` (the default) uses a live `up` of this checkout, except in CI; `use` uses it in
 * CI too (`testbed up --format github` sets it); `off` never does. A state file that is corrupt,
 * stale or from another checkout is never trusted: the run starts its own services and says why.
 */
export async function upReuse(root: string, env: NodeJS.ProcessEnv = process.env): Promise<UpReuse> {
  const mode = env.TESTBED_UP?.trim() || 'auto'
  if (!['auto', 'use', 'off'].includes(mode))
    throw new Error(`TESTBED_UP must be auto, use or off, not ${JSON.stringify(env.TESTBED_UP)}`)
  if (mode === 'off') return {}
  let state: UpState | undefined
  try {
    state = await readState(root)
  } catch (error) {
    if (error instanceof CorruptState)
      return { note: `not used: ${error.message} (npx testbed down removes it)` }
    throw error
  }
  if (!state) return {}
  if (mode === 'auto' && env.CI && env.CI !== 'false' && env.CI !== '0')
    return { note: `not used in CI: ${STATE_FILE} is there, but a CI run uses it only with TESTBED_UP=use` }
  const why = await whyNotLive(state, root)
  if (why) return { note: `not used: ${STATE_FILE} is stale: ${why} (npx testbed down removes it)` }
  const names = state.services.map((s) => s.name).join(', ') || 'none'
  return {
    state,
    note: `services of testbed up (pid ${state.pid}, since ${state.startedAt}) offered: ${names}`,
  }
}
