import { describe, expect, test } from 'vitest'
import type { ServiceStatus, UnavailableStatus } from './service-status.ts'
import { acceptedStatus, pipelineStrictness, whenMissing } from './strictness.ts'

const unavailable: UnavailableStatus = {
  name: 'redis',
  state: 'unavailable',
  reason: 'redis unavailable: env: REDIS_URL is not set',
  attempts: [],
}
const broken: UnavailableStatus = { ...unavailable, state: 'broken', reason: 'redis provisioning failed: x' }
const context = (lists: { require?: string[]; real?: string[] }, env: NodeJS.ProcessEnv = {}) => ({
  pipeline: 'main',
  ...pipelineStrictness({ require: lists.require ?? [], real: lists.real ?? [] }, env),
})

describe('when a missing service fails rather than skips', { tags: ['tier1'] }, () => {
  test('unavailable and not required: skipped with the reason', () => {
    expect(whenMissing(context({}), unavailable)).toEqual({ fails: false, reason: unavailable.reason })
  })

  test('broken: fails, required or not', () => {
    expect(whenMissing(context({}), broken)).toEqual({ fails: true, reason: broken.reason })
  })

  test("required by the pipeline's `require`", () => {
    expect(whenMissing(context({ require: ['redis'] }), unavailable)).toEqual({
      fails: true,
      reason: `${unavailable.reason} (required in pipeline 'main')`,
    })
  })

  test.each(['redis', 'postgres, redis', 'all', '*', ' all '])('required by TESTBED_REQUIRE=%j', (value) => {
    expect(whenMissing(context({}, { TESTBED_REQUIRE: value }), unavailable)).toEqual({
      fails: true,
      reason: `${unavailable.reason} (required in pipeline 'main' by TESTBED_REQUIRE)`,
    })
  })

  test('TESTBED_REQUIRE naming other services, or nothing, leaves it a skip', () => {
    for (const value of ['postgres', '', ' ', ','])
      expect(whenMissing(context({}, { TESTBED_REQUIRE: value }), unavailable).fails).toBe(false)
  })

  test('outside a test (worker- and file-scoped fixtures) nothing can be skipped', () => {
    expect(whenMissing(context({}), unavailable, { canSkip: false })).toEqual({
      fails: true,
      reason: unavailable.reason,
    })
  })
})

describe('an emulator where the real product is wanted is unavailable', { tags: ['tier1'] }, () => {
  const emulated: ServiceStatus = {
    name: 'vault',
    state: 'ready',
    provider: 'embedded',
    connection: {},
    env: {},
    endpoint: 'http://127.0.0.1:1',
    emulated: "Testbed's Vault dev-mode emulator",
    startMs: 1,
    attempts: [],
  }

  test("by the pipeline's `real` or TESTBED_REAL", () => {
    for (const ctx of [
      context({ real: ['vault'] }),
      context({}, { TESTBED_REAL: 'vault' }),
      context({}, { TESTBED_REAL: 'all' }),
    ])
      expect(acceptedStatus(ctx, emulated)).toEqual({
        name: 'vault',
        state: 'unavailable',
        attempts: [],
        reason:
          "vault unavailable: only Testbed's Vault dev-mode emulator could be had, and pipeline 'main' requires a real vault",
      })
  })

  test('otherwise an emulator is taken, and a real server always is', () => {
    expect(acceptedStatus(context({ real: ['auth0'] }), emulated)).toBe(emulated)
    const real = { ...emulated, emulated: undefined }
    expect(acceptedStatus(context({ real: ['vault'] }), real)).toBe(real)
  })
})
