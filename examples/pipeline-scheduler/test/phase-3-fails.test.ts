// The eight-phase journey in a nested Vitest run, with phase 3 failing on purpose: phases 1 and 2
// pass, phase 3 fails with the API's error, and phases 4 to 8 are reported skipped, naming phase 3.
import { fileURLToPath } from 'node:url'
import { postgresUrl } from '@testbed/postgres'
import { runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test } from './testbed.ts'

const LATER = [
  'phase 4: state management',
  'phase 5: pipeline completion',
  'phase 6: quota enforcement',
  'phase 7: retry logic',
  'phase 8: cleanup',
]

describe('the eight phases with phase 3 broken', { tags: ['requires_postgres', 'tier3'] }, () => {
  test('phases 4 to 8 are skipped, each naming phase 3', async ({ postgresConnection }) => {
    const run = await runVitest({
      fixture: fileURLToPath(new URL('./fixtures/phase-3-fails', import.meta.url)),
      env: { DATABASE_URL: postgresUrl(postgresConnection) },
      timeoutMs: 120_000,
    })
    const output = run.stdout + run.stderr
    expect(run.status('phase 1: setup'), output).toBe('passed')
    expect(run.status('phase 2: scheduler trigger'), output).toBe('passed')
    expect(run.status('phase 3: queue processing'), output).toBe('failed')
    const phase3 = run.tests.find((t) => t.fullName.endsWith('phase 3: queue processing'))
    expect(phase3?.failureMessages.join('\n')).toContain(
      'POST /api/v1/scheduler/process: 400 limit must be an integer from 1 to 100',
    )
    const reason = "journey 'pipeline scheduling': step 'phase 3: queue processing' failed"
    for (const phase of LATER) {
      expect(run.status(phase), output).toBe('skipped')
      expect(run.stderr).toContain(`↓ [journeys] pipeline scheduling > ${phase} — ${reason}`)
    }
    expect(run.stderr).toMatch(/\[journeys\] pipeline scheduling: 2 passed, 1 failed, 5 skipped, [\d.]+ s\n/)
    expect(run.code).toBe(1)
  })
})
