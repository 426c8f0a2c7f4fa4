import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** A read of a small file: cheap enough to notice the server the moment it is ready. */
const POLL_MS = 5
const NO_STATUS_MS = 1000

/**
 * Resolves once the server on `data` accepts connections, by PostgreSQL's own word, as `pg_ctl -w`
 * reads it (PostgreSQL ≥ 10): the 8th line of `postmaster.pid` says `ready`. Resolves after a
 * second on an older server (no such line: its readiness is then the caller's to find). Rejects
 * when the server exits first, or after `withinMs`.
 */
export async function untilReady(data: string, exited: Promise<never>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs
  let gone = false
  let noStatusSince: number | undefined
  exited.catch(() => {
    gone = true
  })
  while (!gone) {
    const lines = (await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')
    if (lines[7]?.trim() === 'ready') return
    // Its shared memory key (line 7) but no status line for a second: PostgreSQL < 10, which writes
    // none (a newer one writes it right after the key).
    if (lines[6]?.trim() && !lines[7]?.trim()) {
      noStatusSince ??= Date.now()
      if (Date.now() - noStatusSince > NO_STATUS_MS) return
    } else noStatusSince = undefined
    if (Date.now() > deadline) throw new Error(`postgres did not get ready within ${withinMs / 1000} s`)
    await sleep(POLL_MS)
  }
  await exited
}
