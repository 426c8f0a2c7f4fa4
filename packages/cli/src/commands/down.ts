// `testbed down`: stops what `testbed up --detach` started. Idempotent; a state file that is stale
// (its process gone, after `kill -9` say: the reaper has already removed its servers and containers)
// or corrupt is removed, saying so.
import { CorruptState, readState, removeState, type UpState, whyNotLive } from '@testbed/core/config'
import { configRoot } from '../config-root.js'
import { exitOf, isHolder, terminate } from '../process-exit.js'
import { describeUp } from '../up-record.js'

export interface DownOptions {
  cwd: string
  config?: string
}

/** Teardown of containers can take a while on a loaded machine; past this, the process is signalled. */
const ANSWER_MS = 120_000
const GRACE_MS = 15_000
const say = (line: string) => process.stderr.write(`testbed: ${line}\n`)

export async function runDown(options: DownOptions): Promise<number> {
  const root = configRoot(options.cwd, options.config)
  let state: UpState | undefined
  try {
    state = await readState(root)
  } catch (error) {
    if (!(error instanceof CorruptState)) throw error
    await removeState(root)
    say(`removed it: ${error.message}`)
    return 0
  }
  if (!state) {
    say('nothing is up: no testbed up --detach is running for this checkout')
    return 0
  }
  const why = await whyNotLive(state, root)
  if (!why) {
    await stopLive(state)
    await removeState(root)
    say(`stopped testbed up (${describeUp(state)})`)
    return 0
  }
  // Still running but not answering (hung): only a process that is Testbed's own is signalled.
  if (isHolder(state.pid) && !why.includes('another checkout')) {
    const gone = await terminate(state.pid, GRACE_MS)
    await removeState(root)
    say(
      `${gone ? 'stopped' : 'could not stop'} testbed up's process (pid ${state.pid}), which did not answer: ${why}; removed the state file`,
    )
    return gone ? 0 : 1
  }
  await removeState(root)
  say(`removed a stale state file: ${why}`)
  return 0
}

async function stopLive(state: UpState): Promise<void> {
  try {
    await fetch(new URL('/down', state.control.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${state.control.token}` },
      signal: AbortSignal.timeout(10_000),
    })
  } catch {
    // It exits as it answers, or does not answer at all: either way its exit is what tells.
  }
  if (await exitOf(state.pid, ANSWER_MS)) return
  say(`pid ${state.pid} did not stop within ${ANSWER_MS / 1000} s of POST /down: signalling it`)
  await terminate(state.pid, GRACE_MS)
}
