import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** A read of a small file: cheap enough to notice the server the moment it is ready. */
const POLL_MS = 5

/**
 * Resolves once the server on `data` accepts connections, by PostgreSQL's own word, as `pg_ctl -w`
 * reads it (PostgreSQL ≥ 10): the 8th line of `postmaster.pid` says `ready`. Rejects when the
 * server exits first, or after `withinMs`.
 */
export async function untilReady(data: string, exited: Promise<never>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs
  let gone = false
  exited.catch(() => {
    gone = true
  })
  while (!gone) {
    const pid = await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '')
    if (pid.split('\n')[7]?.trim() === 'ready') return
    if (Date.now() > deadline) throw new Error(`postgres did not get ready within ${withinMs / 1000} s`)
    await sleep(POLL_MS)
  }
  await exited
}
