// Two test files meet here before each round of an isolation suite, so that their rounds provably
// run at the same time in two workers. Off unless TESTBED_ISOLATION_BARRIER names a directory (the
// nested run of test/parallel-workers.test.ts sets it); a plain run keeps Vitest's own scheduling.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const WAIT_MS = 30_000

/** Marks `owner` as arrived at `point`, then waits for the other owner ('a' meets 'b'). */
export async function meet(point: string, owner: string): Promise<void> {
  const dir = process.env.TESTBED_ISOLATION_BARRIER
  if (!dir) return
  const other = owner === 'a' ? 'b' : 'a'
  writeFileSync(join(dir, `${point}-${owner}`), String(process.pid))
  const deadline = Date.now() + WAIT_MS
  while (!existsSync(join(dir, `${point}-${other}`))) {
    if (Date.now() > deadline)
      throw new Error(
        `worker ${other} never reached ${point} within ${WAIT_MS} ms: the two files did not run at the same time`,
      )
    await sleep(10)
  }
}
