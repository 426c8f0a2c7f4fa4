// What a test may do to pipeline runs, through the admin API in test mode only: make a pipeline's
// next runs fail, or hold its next run inside its transaction until released (to break things
// while a run is RUNNING, at a moment the test chooses rather than one it waits for).
import { badRequest, notFound } from './errors.ts'

interface Signal {
  promise: Promise<void>
  resolve(): void
}

function signal(): Signal {
  let resolve = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

interface Hold {
  reached: Signal
  released: Signal
}

export class TestHooks {
  private readonly failures = new Map<string, { error: string; times: number }>()
  private readonly holds = new Map<string, Hold>()

  failNext(configId: string, error: unknown, times: unknown = 1): void {
    if (typeof error !== 'string' || !error) throw badRequest('error must be a non-empty string')
    if (!Number.isInteger(times) || (times as number) < 1)
      throw badRequest('times must be a positive integer')
    this.failures.set(configId, { error, times: times as number })
  }

  /** Throws the failure forced on the pipeline, if any is left. */
  failIfForced(configId: string): void {
    const failure = this.failures.get(configId)
    if (!failure) return
    if (--failure.times === 0) this.failures.delete(configId)
    throw new Error(failure.error)
  }

  hold(configId: string): void {
    if (this.holds.has(configId)) throw badRequest(`pipeline ${configId} is held already`)
    this.holds.set(configId, { reached: signal(), released: signal() })
  }

  /** Inside a run: waits while the pipeline is held (the hold applies to one run). */
  async holdPoint(configId: string): Promise<void> {
    const hold = this.holds.get(configId)
    if (!hold) return
    hold.reached.resolve()
    await hold.released.promise
    this.holds.delete(configId)
  }

  /** Resolves once a run of the held pipeline is waiting at its hold point. */
  async reached(configId: string): Promise<void> {
    const hold = this.holds.get(configId)
    if (!hold) throw notFound(`pipeline ${configId} is not held`)
    await hold.reached.promise
  }

  /** Lets every held run go on (the service is stopping). */
  releaseAll(): void {
    for (const hold of this.holds.values()) hold.released.resolve()
  }

  release(configId: string): void {
    const hold = this.holds.get(configId)
    if (!hold) throw notFound(`pipeline ${configId} is not held`)
    hold.released.resolve()
  }
}
