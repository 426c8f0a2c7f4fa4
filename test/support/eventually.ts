import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `check` until it returns true (resources released by another process take a moment). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still not true after ${timeoutMs} ms: ${what}`)
    await sleep(50)
  }
}
