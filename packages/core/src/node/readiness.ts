import { setTimeout as sleep } from 'node:timers/promises'
import { errorCodes } from '../shared/error-chain.js'
import { NotReady, ProbeRefused } from '../shared/errors.js'
import { reasonFromError } from '../shared/service-status.js'

/**
 * When to ask, how often, and when to give up. A patient policy for a server slow to boot (a 20 s
 * grace, then pauses of 2, 4, 8… s, at most 10 attempts: about 17 minutes in all) is
 * `{ graceMs: 20_000, initialDelayMs: 2_000, factor: 2, maxDelayMs: Infinity, attempts: 10, timeoutMs: Infinity }`;
 * the defaults notice a local server within tens of milliseconds.
 */
export interface ReadinessPolicy {
  graceMs: number
  initialDelayMs: number
  factor: number
  maxDelayMs: number
  attempts: number
  timeoutMs: number
  /**
   * Give up at once when nothing accepts the connection (ECONNREFUSED) or the host does not resolve
   * (ENOTFOUND): right for a server that should already be up (`env`), wrong for one still booting.
   */
  unreachableIsFinal: boolean
}

export const defaultReadiness: ReadinessPolicy = {
  graceMs: 0,
  initialDelayMs: 10,
  factor: 1.5,
  maxDelayMs: 250,
  attempts: Number.POSITIVE_INFINITY,
  timeoutMs: 30_000,
  unreachableIsFinal: false,
}

/** Connection errors that say nothing is there (not that it is slow): no answer will come by waiting. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH'])

/** The error code of a connection failure, looked for on the error and everything it wraps. */
export function unreachableCode(error: unknown): string | undefined {
  return errorCodes(error).find((code) => UNREACHABLE.has(code))
}

/** The pauses between attempts: `initialDelayMs`, then × `factor`, capped at `maxDelayMs`. */
export function* backoffDelays(policy: Partial<ReadinessPolicy> = {}): Generator<number> {
  const p = { ...defaultReadiness, ...policy }
  for (let delay = p.initialDelayMs; ; delay = Math.min(delay * p.factor, p.maxDelayMs)) yield delay
}

/**
 * Calls `probe` until it resolves. Rejects with the last probe error once attempts or time run out,
 * or at once when `abandon` rejects (the server process exited, say): there is no point waiting then.
 */
export async function waitUntilReady(
  probe: (signal: AbortSignal) => Promise<void>,
  policy: Partial<ReadinessPolicy> = {},
  abandon?: Promise<never>,
): Promise<number> {
  const p = { ...defaultReadiness, ...policy }
  const started = performance.now()
  const deadline = started + p.timeoutMs
  const controller = new AbortController()
  const watch = abandon?.catch((error: unknown) => {
    controller.abort(error)
    throw error
  })
  const loop = async (): Promise<number> => {
    if (p.graceMs > 0) await sleep(Math.min(p.graceMs, p.timeoutMs), undefined, { signal: controller.signal })
    const delays = backoffDelays(p)
    let lastError: unknown
    for (let attempt = 1; attempt <= p.attempts; attempt++) {
      const remaining = deadline - performance.now()
      if (remaining <= 0) break
      try {
        const bounded = Number.isFinite(remaining)
          ? [AbortSignal.timeout(Math.max(Math.ceil(remaining), 1))]
          : []
        await probe(AbortSignal.any([controller.signal, ...bounded]))
        return performance.now() - started
      } catch (error) {
        if (controller.signal.aborted) throw controller.signal.reason
        if (error instanceof ProbeRefused) throw error
        if (p.unreachableIsFinal && unreachableCode(error)) throw error
        lastError = error
      }
      if (attempt === p.attempts) break
      const delay = delays.next().value as number
      await sleep(Math.round(Math.min(delay, Math.max(deadline - performance.now(), 0))), undefined, {
        signal: controller.signal,
      })
    }
    const waited = Math.round(performance.now() - started)
    const why = lastError === undefined ? 'no answer' : reasonFromError(lastError)
    throw new NotReady(`not ready after ${waited} ms: ${why}`)
  }
  try {
    return await (watch ? Promise.race([loop(), watch]) : loop())
  } finally {
    controller.abort()
  }
}
