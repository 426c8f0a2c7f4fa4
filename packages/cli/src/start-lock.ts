// While `testbed up --detach` starts its services, no state file says so yet: a second one would start
// a second background process and overwrite the first one's record, leaving it running unreachable by
// `testbed down`. The starting command holds a lock file until its background process is ready or
// gone, so a second start fails at once. A lock whose command is gone (kill -9) is stale: taken over.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CliError } from './cli-error.js'
import { alive } from './process-exit.js'

/** Relative to the repository root, beside the state file. */
export const START_LOCK = join('.testbed', 'up.lock')

const pidIn = (path: string): number | undefined => {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/** Whether `pid` is a `testbed` command (not a process that reused a dead one's pid). */
function isTestbedCommand(pid: number): boolean {
  try {
    return /testbed|bin\.js/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
  } catch {
    // No /proc (macOS): a live pid is taken as the command.
    return alive(pid)
  }
}

/** Takes the lock of `root` (or fails naming the command that holds it); returns its release. */
export function takeStartLock(root: string): () => void {
  const path = join(root, START_LOCK)
  mkdirSync(dirname(path), { recursive: true })
  // Written whole under another name, then linked: link() fails if the lock exists, atomically, and a
  // reader never sees a lock without its pid.
  const draft = `${path}.${process.pid}`
  writeFileSync(draft, `${process.pid}\n`, { mode: 0o600 })
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, path)
        return () => {
          if (pidIn(path) === process.pid) rmSync(path, { force: true })
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const holder = pidIn(path)
        if (holder !== undefined && alive(holder) && isTestbedCommand(holder))
          throw new CliError(
            `testbed up --detach is already starting for this checkout (pid ${holder}): testbed status shows it once it is ready`,
          )
        if (attempt > 0) throw new CliError(`could not take ${path}: another testbed up took it first`)
        rmSync(path, { force: true })
      }
    }
  } finally {
    rmSync(draft, { force: true })
  }
}
