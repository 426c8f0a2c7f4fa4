import { describe, expect, test } from 'vitest'
import { NotReady, ProbeRefused } from '../shared/errors.ts'
import { backoffDelays, waitUntilReady } from './readiness.ts'

/** A probe that fails `failures` times, recording when it was called. */
function flaky(failures: number) {
  const calls: number[] = []
  const started = performance.now()
  return {
    calls,
    probe: async () => {
      calls.push(performance.now() - started)
      if (calls.length <= failures) throw new Error(`refused #${calls.length}`)
    },
  }
}

describe('waitUntilReady', { tags: ['tier1'] }, () => {
  test('returns once the probe passes', async () => {
    const { calls, probe } = flaky(3)
    await waitUntilReady(probe, { initialDelayMs: 1, factor: 1 })
    expect(calls).toHaveLength(4)
  })

  test('backs off exponentially, capped', () => {
    const delays = backoffDelays({ initialDelayMs: 10, factor: 2, maxDelayMs: 50 })
    expect(Array.from({ length: 5 }, () => delays.next().value)).toEqual([10, 20, 40, 50, 50])
  })

  test('expresses a patient policy: 20 s grace, 2^attempt s, 10 attempts (~17 minutes)', () => {
    const patient = { initialDelayMs: 2000, factor: 2, maxDelayMs: Number.POSITIVE_INFINITY }
    const delays = backoffDelays(patient)
    const pauses = Array.from({ length: 9 }, () => delays.next().value as number) // between 10 attempts
    expect(pauses.map((ms) => ms / 1000)).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512])
    expect((20_000 + pauses.reduce((a, b) => a + b)) / 60_000).toBeCloseTo(17.4, 1)
  })

  test('waits out the grace period before the first probe', async () => {
    const { calls, probe } = flaky(0)
    await waitUntilReady(probe, { graceMs: 40 })
    expect(calls[0]).toBeGreaterThanOrEqual(39) // timers never fire early
  })

  test('gives up after the attempt limit with the last reason (the patient policy, scaled down)', async () => {
    const { calls, probe } = flaky(100)
    const patientPolicy = {
      graceMs: 2,
      initialDelayMs: 1,
      factor: 2,
      maxDelayMs: Number.POSITIVE_INFINITY,
      attempts: 10,
    }
    await expect(
      waitUntilReady(probe, { ...patientPolicy, timeoutMs: Number.POSITIVE_INFINITY }),
    ).rejects.toThrow(/not ready after \d+ ms: refused #10/)
    expect(calls).toHaveLength(10)
  })

  test('gives up at the overall timeout', async () => {
    const { probe } = flaky(Number.POSITIVE_INFINITY)
    await expect(waitUntilReady(probe, { initialDelayMs: 5, timeoutMs: 60 })).rejects.toBeInstanceOf(NotReady)
  })

  test('stops at once when waiting cannot help', async () => {
    let calls = 0
    const refused = async () => {
      calls++
      throw new ProbeRefused('password authentication failed')
    }
    await expect(waitUntilReady(refused)).rejects.toThrow('password authentication failed')
    expect(calls).toBe(1)
  })

  test('unreachableIsFinal: a refused connection (however deeply wrapped) stops at once; otherwise it is retried', async () => {
    let calls = 0
    const refused = async () => {
      calls++
      const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
      throw new Error('GET http://127.0.0.1:1/', { cause: new AggregateError([cause], '') })
    }
    await expect(waitUntilReady(refused, { unreachableIsFinal: true })).rejects.toThrow(
      'GET http://127.0.0.1:1/',
    )
    expect(calls).toBe(1)
    await expect(waitUntilReady(refused, { initialDelayMs: 1, attempts: 3 })).rejects.toBeInstanceOf(NotReady)
    expect(calls).toBe(4)
  })

  test('stops at once when the server process exits', async () => {
    const { calls, probe } = flaky(Number.POSITIVE_INFINITY)
    const exited = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('postgres exited with code 1')), 30),
    )
    await expect(waitUntilReady(probe, { initialDelayMs: 5, factor: 1 }, exited)).rejects.toThrow(
      'postgres exited with code 1',
    )
    const count = calls.length
    await new Promise((r) => setTimeout(r, 30))
    expect(calls.length).toBe(count) // no probing after giving up
  })
})
