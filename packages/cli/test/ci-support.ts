// What the ci tests share: the processes a run left behind in a directory.
import { readdirSync, readlinkSync } from 'node:fs'

/** Processes (other than this one) whose working directory is in `dir`. */
export function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)
      } catch {
        return false
      }
    })
    .map(Number)
}
