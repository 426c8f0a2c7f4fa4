// The service's workers: the runs processing claimed RUNNING run here, in the background, each
// renewing its lease while it runs. Processing answers once it has claimed; whoever wants a run's end
// waits for it (`settled`), or reads the run's state.
import { ApiError } from './errors.ts'
import { type Executor, executeRun, type RunOutcome } from './executor.ts'
import { RENEW_EVERY_MS, renewLease } from './leases.ts'
import type { Run } from './run-states.ts'

export class Workers {
  private readonly inFlight = new Map<string, Promise<RunOutcome>>()
  private readonly executor: Executor
  private readonly renewEveryMs: number

  constructor(executor: Executor, renewEveryMs: number = RENEW_EVERY_MS) {
    this.executor = executor
    this.renewEveryMs = renewEveryMs
  }

  /** Runs a claimed run in the background; resolves with its end (it never rejects). */
  start(run: Run): Promise<RunOutcome> {
    const { pool, clock } = this.executor
    // A renewal that fails (the database unreachable) is not retried: the next one may succeed, and
    // if none does the lease expires and the run is taken back, as for a worker that died.
    const renewal = setInterval(() => void renewLease(pool, clock, run).catch(() => {}), this.renewEveryMs)
    renewal.unref()
    const done = executeRun(this.executor, run)
      .catch(
        (error: Error): RunOutcome => ({ ...run, claim_lost: `its end was not recorded: ${error.message}` }),
      )
      .finally(() => {
        clearInterval(renewal)
        this.inFlight.delete(run.run_id)
      })
    this.inFlight.set(run.run_id, done)
    return done
  }

  /** The runs (of `runIds`, or all) that run here now. */
  running(runIds?: string[]): string[] {
    return [...this.inFlight.keys()].filter((id) => !runIds || runIds.includes(id))
  }

  /** Waits until none of `runIds` (or none at all) runs here; 409 naming them after `timeoutMs`. */
  async settled(runIds: string[] | undefined, timeoutMs: number): Promise<string[]> {
    const waitedFor = new Set<string>()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ApiError(409, `still running after ${timeoutMs} ms: ${this.running(runIds).join(', ')}`),
          ),
        timeoutMs,
      )
    })
    try {
      // Runs started while waiting are waited for too: "none running" is what the caller asked.
      for (let ids = this.running(runIds); ids.length; ids = this.running(runIds)) {
        for (const id of ids) waitedFor.add(id)
        await Promise.race([Promise.all(ids.map((id) => this.inFlight.get(id))), timeout])
      }
    } finally {
      clearTimeout(timer)
    }
    return [...waitedFor]
  }

  /** Waits for every run in flight (the service is stopping). */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight.values())
  }
}
