// The local history's lock: appends and a prune hold it, so that a prune (read, write a temp file,
// rename it over the history) never drops the lines a run appended while it was rewriting.

import { open, readFile, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { processAlive } from '../../shared/process-alive.js'

/** How long a run waits for another's append or prune: generous, a prune rewrites the whole file. */
export const LOCK_WAIT_MS = 60_000

export class HistoryLockTimeout extends Error {
  constructor(lock: string, holder: string, waitedMs: number) {
    super(
      `${lock} has been held by ${holder || 'another process'} for ${Math.round(waitedMs / 1000)} s; remove it if no testbed process is using the history`,
    )
    this.name = 'HistoryLockTimeout'
  }
}

/**
 * A lock left by a process of this machine that is gone (killed mid-append). A lock of another
 * machine (a history on a shared disk) is never broken: only its owner knows it is done.
 */
function stale(content: string): boolean {
  const [pid, host] = content.trim().split(' ')
  return host === hostname() && Number.isInteger(Number(pid)) && !processAlive(Number(pid))
}

/** Runs `work` holding `<file>.lock` (created with O_EXCL), waiting up to `waitMs` for it. */
export async function withHistoryLock<T>(
  file: string,
  work: () => Promise<T>,
  waitMs = LOCK_WAIT_MS,
): Promise<T> {
  const lock = `${file}.lock`
  const started = performance.now()
  for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
    try {
      const handle = await open(lock, 'wx')
      try {
        await handle.writeFile(`${process.pid} ${hostname()}\n`)
      } finally {
        await handle.close()
      }
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = await readFile(lock, 'utf8').catch(() => '')
    if (holder && stale(holder)) {
      await unlink(lock).catch(() => {})
      continue
    }
    const waited = performance.now() - started
    if (waited > waitMs) throw new HistoryLockTimeout(lock, holder.trim(), waited)
    await sleep(pause)
  }
  try {
    return await work()
  } finally {
    await unlink(lock).catch(() => {})
  }
}
