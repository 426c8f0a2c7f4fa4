import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { journey } from '@testbed/core'
import { type NestedRun, runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, expectTypeOf, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const journeys = fixturePath('journey')
const memo = <T>(make: () => Promise<T>) => {
  let made: Promise<T> | undefined
  return () => {
    made ??= make()
    return made
  }
}
// One run of the fixture project serves the tests that read different journeys of it.
// Its step summary is read at once: the scratch dir goes with the test that made the run.
const everyJourney = memo(async () => {
  const file = join(scratchDir('journey-summary'), 'summary.md')
  const run = await runVitest({ fixture: journeys, env: { GITHUB_STEP_SUMMARY: file } })
  return { ...run, markdown: readFileSync(file, 'utf8') }
})
const failures = (run: NestedRun, name: string) =>
  run.tests.find((t) => t.fullName.endsWith(name))?.failureMessages ?? []

describe('journeys', { tags: ['tier2'] }, () => {
  test('steps are Vitest tests run in order, each handed the state the earlier steps returned', async () => {
    const run = await everyJourney()
    for (const step of ['register', 'verify email', 'log in', 'see the dashboard'])
      expect(run.status(`sign-up ${step}`), run.stdout).toBe('passed')
    expect(run.stderr).toMatch(
      /\[journeys\] sign-up: 4 passed, 0 failed, 0 skipped, [\d.]+ s\n {5}✓ register {11}[\d.]+ s\n {5}✓ verify email {7}[\d.]+ s\n {5}✓ log in {13}[\d.]+ s\n {5}✓ see the dashboard {2}[\d.]+ s\n/,
    )
  })

  test('a failed step skips every later step, naming the step that failed', async () => {
    const run = await everyJourney()
    expect(run.status('checkout fill the cart')).toBe('passed')
    expect(run.status('checkout pay')).toBe('failed')
    expect(run.status('checkout ship')).toBe('skipped')
    expect(run.status('checkout send the receipt')).toBe('skipped')
    expect(run.stderr).toContain("↓ [journeys] checkout > ship — journey 'checkout': step 'pay' failed")
    expect(run.stderr).toMatch(/\[journeys\] checkout: 1 passed, 1 failed, 2 skipped, [\d.]+ s\n/)
    expect(run.stderr).toMatch(/ {5}✗ pay {15}[\d.]+ s {2}card declined\n/)
    expect(run.stderr).toContain("     ↓ ship              —       journey 'checkout': step 'pay' failed\n")
    expect(run.code).toBe(1)
  })

  test('the step summary ($GITHUB_STEP_SUMMARY) has each journey as a Markdown table', async () => {
    const { markdown } = await everyJourney()
    expect(markdown).toMatch(/\*\*Journeys\*\*\n\n/)
    expect(markdown).toMatch(
      /\[journeys\] checkout: 1 passed, 1 failed, 2 skipped, [\d.]+ s\n\n\| \| step \| duration \| reason \|\n\|---\|---\|---\|---\|\n/,
    )
    expect(markdown).toMatch(/\| ✗ \| pay \| [\d.]+ s \| card declined \|\n/)
    expect(markdown).toContain("| ↓ | ship | — | journey 'checkout': step 'pay' failed |\n")
  })

  test('a step skipped while it ran skips the later steps, with its reason', async () => {
    const run = await everyJourney()
    const needs = "needs step 'open a sandbox account', which was skipped: no sandbox account today"
    expect(run.stderr).toContain(
      `↓ [journeys] trial > start the trial — journey 'trial': step 'start the trial' ${needs}`,
    )
    expect(run.stderr).toContain(
      `↓ [journeys] trial > end the trial — journey 'trial': step 'end the trial' ${needs}`,
    )
  })

  test('a step retries on its own while its condition holds, without restarting the journey', async () => {
    const run = await everyJourney()
    // 'check' asserts that 'enqueue' ran once and 'process' three times.
    expect(run.status('queue process')).toBe('passed')
    expect(run.status('queue check')).toBe('passed')
    expect(run.stderr).toMatch(/ {5}✓ process {2}[\d.]+ s {2}passed after 2 retries\n/)
    // An error the condition does not match is not retried.
    expect(run.status('refund call the bank')).toBe('failed')
    expect(failures(run, 'refund call the bank')).toHaveLength(1)
    expect(run.stderr).toContain(
      "↓ [journeys] refund > notify — journey 'refund': step 'call the bank' failed",
    )
  })

  test("a journey's retry runs it again from its first step, inside the failing step's retry", async () => {
    const run = await everyJourney()
    // 'verify' asserts the state and the order: provision, roll out (failed), provision, roll out.
    for (const step of ['provision', 'roll out', 'verify'])
      expect(run.status(`deploy ${step}`)).toBe('passed')
    expect(run.stderr).toMatch(
      / {5}✓ roll out {3}[\d.]+ s {2}passed after the journey ran again from its first step\n/,
    )
    // Once: a second failure ends the journey.
    expect(run.status('migrate switch over')).toBe('failed')
    expect(failures(run, 'migrate switch over')).toHaveLength(2)
    expect(run.status('migrate clean up')).toBe('skipped')
  })

  test('a journey past its own budget fails the running step, naming the budget, and skips the rest', async () => {
    const run = await everyJourney()
    const exceeded = "journey 'stuck import' exceeded its budget of 1 s in step 'wait for the import'"
    expect(run.status('stuck import start')).toBe('passed')
    expect(failures(run, 'stuck import wait for the import').join('\n')).toContain(exceeded)
    expect(failures(run, 'stuck import wait for the import')).toHaveLength(1) // not retried
    expect(run.stderr).toContain(`↓ [journeys] stuck import > report — ${exceeded}`)
  })

  test("a budget from the journey's markers, as configured, names the marker", async () => {
    const run = await runVitest({ fixture: fixturePath('journey-budget') })
    const exceeded = "journey 'nightly export' exceeded its tier3 budget of 1 s in step 'upload'"
    expect(failures(run, 'nightly export upload').join('\n')).toContain(exceeded)
    expect(run.stderr).toContain(`↓ [journeys] nightly export > announce — ${exceeded}`)
    expect(run.stderr).toMatch(new RegExp(` {5}✗ upload {4}[\\d.]+ s {2}${exceeded}\n`))
  })

  test('-t selecting a later step skips it, naming the step it needs; selecting the journey runs it all', async () => {
    const later = await runVitest({ fixture: journeys, args: ['order', '-t', 'log in'] })
    expect(later.status('sign-up log in')).toBe('skipped')
    expect(later.stderr).toContain(
      "↓ [journeys] sign-up > log in — journey 'sign-up': step 'log in' needs step 'register', which did not run (filtered out)",
    )
    expect(later.stderr).toContain('     ↓ register           —  did not run (filtered out)\n')
    expect(later.code).toBe(0)
    const whole = await runVitest({ fixture: journeys, args: ['order', '-t', 'sign-up'] })
    expect(whole.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'passed', 'passed'])
  })

  test("a journey's markers gate every step: a missing service skips them all with its reason", async () => {
    const reason = 'echo unavailable: env: ECHO_URL is not set; embedded: ECHO_EMBEDDED=off'
    const run = await runVitest({ fixture: journeys, args: ['requires'], env: { ECHO_EMBEDDED: 'off' } })
    expect(run.stderr).toContain(`↓ [journeys] echo round trip > reach echo — ${reason}`)
    expect(run.stderr).toContain(`↓ [journeys] echo round trip > it answered — ${reason}`)
    expect(run.stderr).toContain('- echo tests: complete skip (0 passed, 0 failed, 2 skipped)')
    // With the service there, its fixture serves the steps.
    const served = await everyJourney()
    expect(served.status('echo round trip it answered')).toBe('passed')
  })

  test('pipelines select a journey by its markers: all its steps, or none', async () => {
    const run = await runVitest({ fixture: fixturePath('journey-pipelines') })
    expect(run.stderr).toMatch(/\[main\] sign in: 2 passed, 0 failed, 0 skipped/)
    expect(run.stderr).toMatch(/\[enterprise\] audit trail: 2 passed, 0 failed, 0 skipped/)
    // Outside its pipeline a journey's steps are left out like tests, and its table is not printed.
    expect(run.stderr).not.toContain('[enterprise] sign in')
    expect(run.stderr).not.toContain('[main] audit trail')
    expect(run.stderr).toContain(
      "Not in the pipeline (left out by its selection): 2 in 'main', 2 in 'enterprise'",
    )
    expect(run.code).toBe(0)
  })

  test('a journey never splits across --shard: Vitest shards by file, and a journey is one file', async () => {
    const shards = await Promise.all(
      ['1/2', '2/2'].map((shard) =>
        runVitest({ fixture: fixturePath('journey-shard'), args: ['--shard', shard] }),
      ),
    )
    const journeysOf = (run: NestedRun) => [...new Set(run.tests.map((t) => t.fullName.split(' ')[0]))]
    for (const run of shards) {
      expect(journeysOf(run)).toHaveLength(1)
      expect(run.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'passed'])
    }
    expect(shards.flatMap(journeysOf).sort()).toEqual(['alpha', 'beta'])
  })

  test('a bad declaration fails its file with what to change', async () => {
    const run = await runVitest({ fixture: fixturePath('journey-errors') })
    const output = run.stdout + run.stderr
    for (const message of [
      "journey 'twice': two steps are named 'same'; each step needs a name of its own",
      "journey 'late': step 'second' was declared after the journey's function returned; declare every step inside it",
      "journey 'eventually': declare its steps synchronously (its function returned a promise)",
      "journey 'empty' has no steps: add them with .step(name, fn)",
      "journey 'impatient': step 'poll': retry.times must be a positive whole number",
      "journey 'counting': step 'count' returned 42; a step returns an object of what it adds to the state, or nothing",
    ])
      expect(output).toContain(message)
    expect(run.code).toBe(1)
  })
})

describe("a journey's options", { tags: ['tier1'] }, () => {
  test('are checked before anything is declared', () => {
    expect(() => journey('', () => {})).toThrow('a journey needs a name')
    expect(() => journey('x', { budget: 0 }, () => {})).toThrow(
      "journey 'x': budget must be a positive number of ms, not 0",
    )
    expect(() => journey('x', { retry: 1.5 }, () => {})).toThrow(
      "journey 'x': retry must be a whole number of re-runs, not 1.5",
    )
    expect(() => journey('x', {} as never)).toThrow("journey 'x' has no function declaring its steps")
  })

  test('type the state from step to step: what each step returned, over what was there', () => {
    // Never called: tsc checks the types (a journey is declared at a file's top level, not in a test).
    const declare = () =>
      journey('typed', (j) =>
        j
          .step('a', () => ({ a: 1, replaced: 'text' }))
          .step('b', async ({ a }) => ({ b: String(a), replaced: true }))
          .step('nothing added', () => {})
          .step('c', (state) => {
            expectTypeOf(state).toEqualTypeOf<{
              readonly a: number
              readonly b: string
              readonly replaced: boolean
            }>()
            // @ts-expect-error: no step added `c`
            state.c
          }),
      )
    expect(declare).toBeTypeOf('function')
  })
})
