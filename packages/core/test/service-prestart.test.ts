// The services a run's files name by their markers start at the run's start, beside the workers' own
// start, not when the first test asks (docs/services.md, "When a service starts"); what the source
// cannot single out starts nothing early.
import { runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const fixture = fixturePath('prestart')
/** Whether the service had begun to start while the file was being collected, before any test asked. */
const asked = (run: Awaited<ReturnType<typeof runVitest>>) =>
  run.starts
    .filter((s) => s.event === 'collected')
    .map((s) => (s as unknown as { begunBefore: boolean }).begunBefore)

describe('services started at the run start', { tags: ['tier2'] }, () => {
  test("a selected test's marker starts its service before any test asks, once", async () => {
    const run = await runVitest({ fixture, args: ['--project', 'main'] })
    expect(run.code).toBe(0)
    expect(asked(run)).toEqual([true])
    expect(run.starts.filter((s) => s.event === 'start')).toHaveLength(1)
    expect(run.status('needs echo')).toBe('passed')
  })

  // Where nothing starts the service early, nothing ever does before a test asks: a short wait decides nothing.
  const notEarly = { PRESTART_WAIT_MS: '1500' }

  test('TESTBED_PRESTART=off: the service starts when the first test asks', async () => {
    const run = await runVitest({
      fixture,
      args: ['--project', 'main'],
      env: { ...notEarly, TESTBED_PRESTART: 'off' },
    })
    expect(run.code).toBe(0)
    expect(asked(run)).toEqual([false])
    expect(run.starts.filter((s) => s.event === 'start')).toHaveLength(1)
  })

  test('a -t filter, which the source cannot apply, starts nothing early', async () => {
    const run = await runVitest({ fixture, args: ['--project', 'main', '-t', 'needs echo'], env: notEarly })
    expect(run.code).toBe(0)
    expect(asked(run)).toEqual([false])
  })

  test('a service only tests outside the filter name is not started at all', async () => {
    const run = await runVitest({
      fixture,
      args: ['--project', 'main', '--tags-filter', 'not requires_echo'],
      env: notEarly,
    })
    expect(run.code).toBe(0)
    expect(asked(run)).toEqual([false])
    expect(run.starts.filter((s) => s.event === 'start')).toEqual([])
  })
})
