import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '@testbed/core/config'
import { runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const gating = fixturePath('gating')
const unavailable = { ECHO_EMBEDDED: 'off' }
const reason = 'echo unavailable: env: ECHO_URL is not set; embedded: ECHO_EMBEDDED=off'
const failure = (run: Awaited<ReturnType<typeof runVitest>>, name: string) =>
  run.tests.find((t) => t.fullName === name)?.failureMessages.join('\n') ?? ''

describe('gating on markers', { tags: ['tier2'] }, () => {
  test('a missing service skips its tests, with the reason from every provider', async () => {
    const run = await runVitest({ fixture: gating, args: ['--project', 'lenient'], env: unavailable })
    expect(run.status('needs echo')).toBe('skipped')
    expect(run.stderr).toContain(`↓ [lenient] needs echo — ${reason}`)
    expect(run.stderr).toMatch(/echo\s+—\s+—\s+echo unavailable: env: ECHO_URL is not set/)
    expect(run.stderr).toContain('- echo tests: complete skip (0 passed, 0 failed, 1 skipped)')
  })

  test("a pipeline's `require` fails them instead, with the same words", async () => {
    const run = await runVitest({ fixture: gating, args: ['--project', 'strict'], env: unavailable })
    expect(run.status('needs echo')).toBe('failed')
    expect(failure(run, 'needs echo')).toContain(`${reason} (required in pipeline 'strict')`)
    expect(run.code).toBe(1)
  })

  test('TESTBED_REQUIRE makes any pipeline strict (what CI sets)', async () => {
    const run = await runVitest({
      fixture: gating,
      args: ['--project', 'lenient'],
      env: { ...unavailable, TESTBED_REQUIRE: 'echo' },
    })
    expect(failure(run, 'needs echo')).toContain(
      `${reason} (required in pipeline 'lenient' by TESTBED_REQUIRE)`,
    )
  })

  test('a fixture used without its marker fails with advice', async () => {
    const run = await runVitest({ fixture: gating, args: ['--project', 'lenient'] })
    expect(run.status('needs echo')).toBe('passed')
    expect(failure(run, 'uses echo without its marker')).toContain(
      "'uses echo without its marker' uses the echo fixture 'echo' but is not marked requires_echo. Add { tags: ['requires_echo'] }",
    )
  })

  test('failed provisioning fails tests even where the service is optional', async () => {
    const run = await runVitest({ fixture: gating, args: ['--project', 'lenient'] })
    expect(failure(run, 'needs a service whose provisioning fails')).toContain(
      'broken provisioning failed: migration 002_users.sql line 3: syntax error at or near "TABL"',
    )
    expect(run.starts.filter((s) => s.service === 'broken')).toHaveLength(1) // and was not retried elsewhere
  })

  test('an explicit address that does not answer is reported, not replaced by another provider', async () => {
    const port = await freePort() // nothing listens there
    const run = await runVitest({
      fixture: gating,
      args: ['--project', 'lenient'],
      env: { ECHO_URL: `http://127.0.0.1:${port}` },
    })
    expect(run.status('needs echo')).toBe('skipped')
    expect(run.stderr).toContain(
      `needs echo — echo unavailable: env: GET http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}`,
    )
    expect(run.starts.filter((s) => s.service === 'echo')).toEqual([])
  })

  test('an emulator serves, and says so plainly', async () => {
    const run = await runVitest({
      fixture: gating,
      args: ['--project', 'lenient'],
      env: { ECHO_EMULATED: '1' },
    })
    expect(run.status('needs echo')).toBe('passed')
    expect(run.stderr).toMatch(/echo ready via embedded in [\d.]+ s: an echo stand-in, not a real echo/)
    expect(run.stderr).toMatch(
      /echo\s+embedded\s+[\d.]+ s\s+http:\/\/127\.0\.0\.1:\d+ \(EMULATED: an echo stand-in\)/,
    )
  })

  test('a pipeline can refuse an emulator, and so can TESTBED_REAL', async () => {
    const refusal =
      "echo unavailable: only an echo stand-in could be had, and pipeline 'genuine' requires a real echo"
    const genuine = await runVitest({
      fixture: gating,
      args: ['--project', 'genuine'],
      env: { ECHO_EMULATED: '1' },
    })
    expect(genuine.stderr).toContain(`↓ [genuine] needs echo — ${refusal}`)
    const byEnv = await runVitest({
      fixture: gating,
      args: ['--project', 'lenient'],
      env: { ECHO_EMULATED: '1', TESTBED_REAL: 'echo', TESTBED_REQUIRE: 'echo' },
    })
    expect(failure(byEnv, 'needs echo')).toContain(
      "echo unavailable: only an echo stand-in could be had, and pipeline 'lenient' requires a real echo (required in pipeline 'lenient' by TESTBED_REQUIRE)",
    )
  })

  test('markers carry their options: a flaky retry is reported, budgets apply', async () => {
    const run = await runVitest({ fixture: gating, args: ['--project', 'lenient'] })
    expect(run.status('flaky until its retry')).toBe('passed')
    expect(run.status('a slow tier3 test gets the slow budget')).toBe('passed')
    expect(run.stderr).toContain(' Flaky (passed on a retry)\n   ⚠ flaky until its retry (1 retry)')
  })

  test('only a file with a test that needs a service gets the per-test gate (a hook Vitest reports)', async () => {
    const run = await runVitest({ fixture: gating, args: ['--project', 'lenient'] })
    expect(run.status('an unmarked test in a file that needs a service passes the gate too')).toBe('passed')
    expect(run.status('a file none of whose tests needs a service has no per-test gate')).toBe('passed')
  })

  test('the summary goes to $GITHUB_STEP_SUMMARY too', async () => {
    const summary = join(scratchDir('step-summary'), 'summary.md')
    await runVitest({
      fixture: gating,
      args: ['--project', 'lenient'],
      env: { ...unavailable, GITHUB_STEP_SUMMARY: summary },
    })
    const markdown = readFileSync(summary, 'utf8')
    expect(markdown).toContain(
      '| echo | — | — | echo unavailable: env: ECHO_URL is not set; embedded: ECHO_EMBEDDED=off |',
    )
    expect(markdown).toContain('- **echo**: complete skip (0 passed, 0 failed, 1 skipped)')
  })

  test('a config without the root plugin fails every file, saying what to add', async () => {
    const run = await runVitest({ fixture: fixturePath('no-root-plugin') })
    expect(run.code).toBe(1)
    expect(run.status('would pass')).not.toBe('passed')
    expect(run.stdout + run.stderr).toContain(
      "Testbed's plugin is not in this Vitest config: add `plugins: testbed.plugins` beside `test: { projects: testbed.projects }`",
    )
  })

  test('an unknown marker is refused by name', async () => {
    const run = await runVitest({ fixture: fixturePath('unknown-marker') })
    expect(run.code).toBe(1)
    expect(run.stdout + run.stderr).toContain(
      'The tag "requires_ecoh" is not defined in the configuration. Available tags are:',
    )
  })
})
