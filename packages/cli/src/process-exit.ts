// Waiting for a process that is not our child (the background process of `testbed up --detach`) to
// exit: only its pid can be watched, so it is checked until it is gone or the bound is reached.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { processAlive as alive } from '@testbed/core/config'

export { alive }

/** True once `pid` has exited, false when it still runs after `timeoutMs`. */
export async function exitOf(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (alive(pid)) {
    if (performance.now() > deadline) return false
    await sleep(100)
  }
  return true
}

/** Whether `pid` runs Testbed's background process (not some process that reused a dead one's pid). */
export function isHolder(pid: number): boolean {
  try {
    return /holder[/\\]main\.js/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
  } catch {
    return false
  }
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`; true once it is gone. */
export async function terminate(pid: number, graceMs: number): Promise<boolean> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal)
    } catch {
      return true
    }
    if (await exitOf(pid, graceMs)) return true
  }
  return false
}
