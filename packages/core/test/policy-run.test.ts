// The policy lock in real nested Vitest runs of a copy of fixtures/policy-repo: refusals before any
// test runs, the audit trail, the reports that carry the digest, budgets at the end, and a test that
// cannot change what the main process enforces.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { policyDigest } from '@testbed/core/config'
import { eventually } from '@testbed/test-support/eventually'
import { alive, runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { expectNothingLeft, expectRefusedBeforeTests, policy, policyRepo } from './policy-repo.ts'

const ECHO = 'tests/echo.test.ts'
const FLAKY = 'tests/flaky.test.ts'
/** The `main` pipeline only (`enterprise` has its own attempts to record). */
const MAIN = ['--project', 'main']
const noEcho = { ECHO_EMBEDDED: 'off' }
const failure = (run: Awaited<ReturnType<typeof runVitest>>, name: string) =>
  run.tests.find((t) => t.fullName === name)?.failureMessages.join('\n') ?? ''

describe('policy lock in a test run', { tags: ['tier2'], timeout: 120_000 }, () => {
  test('a repository without a policy file: no policy line, no audit, no JUnit property', async () => {
    const repo = policyRepo()
    const junit = join(scratchDir('policy-junit'), 'junit.xml')
    const run = await runVitest({
      fixture: repo.dir,
      args: [ECHO, '--reporter=junit', `--outputFile.junit=${junit}`],
    })
    expect(run.code).toBe(0)
    expect(run.status('needs echo')).toBe('passed')
    expect(run.stderr).not.toContain(' Policy:')
    expect(readFileSync(junit, 'utf8')).not.toContain('<property')
    expect(existsSync(join(repo.dir, '.testbed/policy-audit.jsonl'))).toBe(false)
    expectNothingLeft(run)
  })

  test('a policy that fails the schema fails the run before any test, naming each field', async () => {
    const repo = policyRepo()
    repo.write({
      ...policy(),
      pipelines: {
        main: { retries: { max: 'two' }, restrictions: { allowCacheBypas: true } },
      },
      enforcement: 'medium',
    } as never)
    const run = await runVitest({ fixture: repo.dir, args: [...MAIN, ECHO] })
    expectRefusedBeforeTests(run, 'testbed.policy.json does not match the policy schema:')
    expect(run.stderr).toContain('pipelines.main.retries.max must be integer')
    expect(run.stderr).toContain(
      'pipelines.main.restrictions.allowCacheBypas is not a field the schema knows',
    )
    expect(run.stderr).toContain('enforcement must be one of "hard", "soft"')
    expect(repo.audit()).toMatchObject([{ outcome: 'refused', rule: 'schema', commit: repo.head }])
  })

  test('a locked policy without its lock fails the run before any test', async () => {
    const repo = policyRepo(policy())
    const run = await runVitest({ fixture: repo.dir, args: [...MAIN, ECHO] })
    expectRefusedBeforeTests(run, 'testbed.policy.json has no lock: testbed.policy.lock is missing')
  })

  test('a policy changed after its lock: "policy modification detected" with both digests, before any test', async () => {
    const repo = policyRepo(policy())
    const locked = repo.lock()
    const changed = repo.write(policy({ retries: { max: 5 } }))
    expect(changed).not.toBe(locked)
    const run = await runVitest({ fixture: repo.dir, args: [...MAIN, ECHO] })
    expectRefusedBeforeTests(
      run,
      `policy modification detected: testbed.policy.json digest ${changed} does not match testbed.policy.lock ${locked}`,
    )
    expect(repo.audit()).toMatchObject([
      {
        outcome: 'refused',
        rule: 'lock',
        what: 'testbed.policy.json changed',
        policy: { digest: changed, version: '1.0.0' },
        commit: repo.head,
      },
    ])
  })

  test('hard: TESTBED_SKIP_CACHE is refused before any test, and recorded', async () => {
    const repo = policyRepo(policy())
    const digest = repo.lock()
    const run = await runVitest({
      fixture: repo.dir,
      args: [...MAIN, ECHO],
      env: { TESTBED_SKIP_CACHE: '1' },
    })
    expectRefusedBeforeTests(run, '[main] TESTBED_SKIP_CACHE=1: cache bypass not allowed under the policy')
    const [entry] = repo.audit()
    expect(entry).toMatchObject({
      pipeline: 'main',
      what: 'TESTBED_SKIP_CACHE=1',
      rule: 'restrictions.allowCacheBypass',
      outcome: 'refused',
      commit: repo.head,
      policy: { file: 'testbed.policy.json', digest, version: '1.0.0' },
    })
    expect(Date.parse(entry?.at ?? '')).toBeGreaterThan(0)
  })

  test('hard: TESTBED_SKIP_CHECKS is refused before any test; TESTBED_POLICY_AUDIT puts the trail where CI keeps it', async () => {
    const repo = policyRepo(policy())
    repo.lock()
    const run = await runVitest({
      fixture: repo.dir,
      args: [...MAIN, ECHO],
      env: { TESTBED_SKIP_CHECKS: 'true', TESTBED_POLICY_AUDIT: 'artifacts/policy-audit.jsonl' },
    })
    const artifact = join(repo.dir, 'artifacts/policy-audit.jsonl')
    expect(run.stderr).toContain(`(recorded in ${artifact})`)
    expect(JSON.parse(readFileSync(artifact, 'utf8'))).toMatchObject({
      what: 'TESTBED_SKIP_CHECKS=true',
      outcome: 'refused',
    })
    expectRefusedBeforeTests(
      run,
      '[main] TESTBED_SKIP_CHECKS=true: check skipping not allowed under the policy',
    )
    // …and not at the default place.
    expect(repo.audit()).toEqual([])
  })

  test('a restriction the policy lifts lets the bypass through, recorded as allowed', async () => {
    const repo = policyRepo(policy({ restrictions: { allowCacheBypass: true } }))
    repo.lock()
    const run = await runVitest({
      fixture: repo.dir,
      args: [...MAIN, ECHO],
      env: { TESTBED_SKIP_CACHE: '1' },
    })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('✓ allowed [main] TESTBED_SKIP_CACHE=1')
    // What it skips: the services a `testbed up` holds.
    expect(run.stderr).toContain(' testbed up: not used: TESTBED_SKIP_CACHE is set')
    expect(repo.audit()).toMatchObject([{ what: 'TESTBED_SKIP_CACHE=1', outcome: 'allowed' }])
  })

  test('soft: the same bypasses are warned, recorded, and take effect (a required service skips)', async () => {
    const repo = policyRepo(policy({ require: ['echo'] }, { enforcement: 'soft' }))
    repo.lock()
    const summary = join(scratchDir('policy-soft'), 'summary.md')
    const run = await runVitest({
      fixture: repo.dir,
      args: [...MAIN, ECHO],
      env: { ...noEcho, TESTBED_SKIP_CACHE: '1', TESTBED_SKIP_CHECKS: '1', GITHUB_STEP_SUMMARY: summary },
    })
    expect(run.code).toBe(0)
    expect(run.status('needs echo')).toBe('skipped')
    expect(run.stderr).toContain(
      '⚠ warned [main] TESTBED_SKIP_CACHE=1 — cache bypass not allowed under the policy',
    )
    expect(run.stderr).toContain(
      '⚠ warned [main] TESTBED_SKIP_CHECKS=1 — check skipping not allowed under the policy',
    )
    expect(repo.audit().map((e) => [e.what, e.outcome])).toEqual([
      ['TESTBED_SKIP_CACHE=1', 'warned'],
      ['TESTBED_SKIP_CHECKS=1', 'warned'],
    ])
    // The step summary shows the audit entries of the run, with the commit they were made at.
    const markdown = readFileSync(summary, 'utf8')
    expect(markdown).toContain(
      '| ⚠ warned | main | TESTBED_SKIP_CHECKS=1 | restrictions.allowCheckSkip | check skipping not allowed under the policy |',
    )
    expect(markdown).toContain(`| ${repo.head.slice(0, 12)} |`)
    expect(markdown).toContain(`Audit trail: \`${join(repo.dir, '.testbed/policy-audit.jsonl')}\``)
  })

  test('the locked flag: an unlocked policy records the same bypass as allowed; locked, it is refused', async () => {
    const draft = policyRepo(policy({}, { locked: false }))
    const run = await runVitest({
      fixture: draft.dir,
      args: [...MAIN, ECHO],
      env: { TESTBED_SKIP_CHECKS: '1' },
    })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('not locked, hard)')
    expect(draft.audit()).toMatchObject([{ what: 'TESTBED_SKIP_CHECKS=1', outcome: 'allowed' }])
    const locked = policyRepo(policy())
    locked.lock()
    const refused = await runVitest({
      fixture: locked.dir,
      args: [...MAIN, ECHO],
      env: { TESTBED_SKIP_CHECKS: '1' },
    })
    expectRefusedBeforeTests(refused, 'check skipping not allowed under the policy')
  })

  test('hard: weaker TESTBED_REQUIRE and TESTBED_REAL, an emulator-only provider order, a changed selection, --retry and --maxWorkers above the policy are each refused', async () => {
    const repo = policyRepo({
      version: '2.0.0',
      locked: true,
      enforcement: 'hard',
      pipelines: {
        main: {
          select: 'not enterprise and not slow',
          require: ['echo'],
          real: ['echo'],
          retries: { max: 1 },
          restrictions: { maxConcurrency: 1 },
        },
        enterprise: { real: ['vault'] },
      },
    })
    repo.lock()
    const run = await runVitest({
      fixture: repo.dir,
      args: [ECHO, '--retry', '3', '--maxWorkers', '2'],
      env: { TESTBED_REQUIRE: 'vault', TESTBED_REAL: 'vault', TESTBED_VAULT_PROVIDERS: 'embedded' },
    })
    expectRefusedBeforeTests(run, 'refused by testbed.policy.json')
    for (const refusal of [
      "[main] TESTBED_REQUIRE=vault: TESTBED_REQUIRE leaves out echo, which the policy's require lists",
      "[main] TESTBED_REAL=vault: TESTBED_REAL leaves out echo, which the policy's real lists",
      `[main] select "not enterprise": the config's pipeline selects 'not enterprise', not the policy's 'not enterprise and not slow'`,
      "[main] retry 3: 3 retries per test (--retry or the config's retry) is above the policy's 1",
      "[main] maxWorkers 2: 2 workers (--maxWorkers or the config's maxWorkers) is above the policy's 1",
      '[enterprise] TESTBED_VAULT_PROVIDERS=embedded: TESTBED_VAULT_PROVIDERS forces an emulator, and the policy wants a real vault',
    ])
      expect(run.stderr).toContain(refusal)
    const outcomes = repo.audit().map((e) => `${e.pipeline} ${e.rule} ${e.outcome}`)
    expect(outcomes).toEqual(expect.arrayContaining(['main require refused', 'enterprise real refused']))
  })

  test('a project the policy does not govern is refused; --tags-filter only narrows, so it is allowed', async () => {
    const repo = policyRepo({ version: '1', locked: true, enforcement: 'hard', pipelines: { main: {} } })
    repo.lock()
    const outside = await runVitest({ fixture: repo.dir, args: ['--project', 'enterprise'] })
    expectRefusedBeforeTests(
      outside,
      "[enterprise] vitest --project enterprise: project 'enterprise' is not a pipeline of the policy",
    )
    const narrowed = await runVitest({
      fixture: repo.dir,
      args: ['--project', 'main', '--tags-filter', 'requires_echo', ECHO],
    })
    expect(narrowed.code).toBe(0)
    expect(narrowed.status('needs echo')).toBe('passed')
    expect(narrowed.status('plain')).toBe('skipped')
    expect(narrowed.stderr).toContain(
      "✓ allowed [main] --tags-filter requires_echo — narrows only: Vitest ANDs it with the pipeline's selection",
    )
  })

  test("the policy's require and real merge into the pipeline's (core's own gate fails or skips)", async () => {
    const required = policyRepo(policy({ require: ['echo'] }))
    required.lock()
    const missing = await runVitest({ fixture: required.dir, args: [...MAIN, ECHO], env: noEcho })
    expect(missing.status('needs echo')).toBe('failed')
    expect(failure(missing, 'needs echo')).toContain("(required in pipeline 'main')")
    expect(missing.code).toBe(1)
    const real = policyRepo(policy({ real: ['echo'] }))
    real.lock()
    const emulated = await runVitest({
      fixture: real.dir,
      args: [...MAIN, ECHO],
      env: { ECHO_EMULATED: '1' },
    })
    expect(emulated.status('needs echo')).toBe('skipped')
    expect(emulated.stderr).toContain("pipeline 'main' requires a real echo")
    expectNothingLeft(emulated)
  })

  test('the digest and version are in the terminal summary, $GITHUB_STEP_SUMMARY and each JUnit test case', async () => {
    const repo = policyRepo(policy())
    const digest = repo.lock()
    const scratch = scratchDir('policy-reports')
    const summary = join(scratch, 'summary.md')
    const junit = join(scratch, 'junit.xml')
    const run = await runVitest({
      fixture: repo.dir,
      args: [...MAIN, ECHO, '--reporter=junit', `--outputFile.junit=${junit}`],
      env: { GITHUB_STEP_SUMMARY: summary },
    })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain(` Policy: testbed.policy.json version 1.0.0 (${digest}, locked, hard)`)
    const markdown = readFileSync(summary, 'utf8')
    expect(markdown).toContain(`**Policy**: testbed.policy.json version 1.0.0 (${digest}, locked, hard)`)
    expect(markdown).toContain('No attempt to go around the policy.')
    const xml = readFileSync(junit, 'utf8')
    for (const name of ['needs echo', 'plain']) {
      const testcase = new RegExp(`<testcase [^>]*name="${name}"[^>]*>([\\s\\S]*?)</testcase>`).exec(xml)?.[1]
      expect(testcase).toContain(`<property name="testbed-policy-digest" value="${digest}">`)
      expect(testcase).toContain('<property name="testbed-policy-version" value="1.0.0">')
    }
  })

  test("version tracking: a run reports the policy's version change since the previous run", async () => {
    const repo = policyRepo(policy())
    repo.lock()
    const first = await runVitest({ fixture: repo.dir, args: [...MAIN, ECHO] })
    expect(first.stderr).not.toContain('policy version changed')
    repo.write(policy({}, { version: '1.1.0' }))
    repo.lock()
    const summary = join(scratchDir('policy-version'), 'summary.md')
    const second = await runVitest({
      fixture: repo.dir,
      args: [...MAIN, ECHO],
      env: { GITHUB_STEP_SUMMARY: summary },
    })
    expect(second.code).toBe(0)
    expect(second.stderr).toContain('policy version changed since the last run: 1.0.0 → 1.1.0')
    expect(readFileSync(summary, 'utf8')).toContain(
      'policy version changed since the last run: 1.0.0 → 1.1.0',
    )
    const third = await runVitest({ fixture: repo.dir, args: [...MAIN, ECHO] })
    expect(third.stderr).not.toContain('policy version changed')
  })

  test('hard: retries, flaky passes and skips beyond the budget fail the run at its end; soft warns', async () => {
    const repo = policyRepo(policy({ retries: { max: 0, flaky: 0 }, skipped: { allowed: true, max: 0 } }))
    repo.lock()
    const run = await runVitest({ fixture: repo.dir, args: [...MAIN, ECHO, FLAKY], env: noEcho })
    expect(run.status('flaky')).toBe('passed')
    expect(run.status('needs echo')).toBe('skipped')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("✗ refused [main] 'flaky' retried 1 time — above the policy's 0 per test")
    expect(run.stderr).toContain("✗ refused [main] 1 flaky passes — 1 tests passed only on a retry ('flaky')")
    expect(run.stderr).toContain("✗ refused [main] 1 skipped with a reason — 1 tests skipped ('needs echo')")
    expect(repo.audit().map((e) => e.rule)).toEqual(['retries.max', 'retries.flaky', 'skipped.max'])
    const soft = policyRepo(policy({ retries: { max: 0, flaky: 0 } }, { enforcement: 'soft' }))
    soft.lock()
    const warned = await runVitest({ fixture: soft.dir, args: [...MAIN, FLAKY] })
    expect(warned.code).toBe(0)
    expect(warned.stderr).toContain('⚠ warned [main] 1 flaky passes')
  })

  test('Ctrl-C during a run under a policy: the run stops, echo is gone, the audit file holds whole lines', async () => {
    const repo = policyRepo(policy({}, { enforcement: 'soft' }))
    repo.lock()
    const run = await runVitest({
      fixture: repo.dir,
      args: [...MAIN, 'tests/wait.test.ts'],
      env: { FIXTURE_WAIT: '1', TESTBED_SKIP_CACHE: '1' },
      onSpawn: (child) => {
        let out = ''
        child.stdout?.on('data', (chunk) => {
          out += chunk
          if (out.includes('WAITING FOR SIGINT')) child.kill('SIGINT')
        })
      },
    })
    expect(run.signal ?? run.code).not.toBe(0)
    expect(run.starts).toHaveLength(1)
    // The reaper releases what the interrupted run held, a moment after it exits.
    const [start] = run.starts as [(typeof run.starts)[0]]
    await eventually(() => !alive(start.pid), `echo server ${start.pid} stopped`)
    await eventually(() => !existsSync(start.dir), `temp dir ${start.dir} removed`)
    expect(repo.audit()).toMatchObject([{ what: 'TESTBED_SKIP_CACHE=1', outcome: 'warned' }])
  })

  test('no self-modification: a test that rewrites the policy and its lock and sets bypass variables changes nothing the run enforces', async () => {
    const repo = policyRepo(policy({ retries: { max: 0 }, skipped: { allowed: false } }))
    const digest = repo.lock()
    const run = await runVitest({
      fixture: repo.dir,
      args: [...MAIN, ECHO, FLAKY, 'tests/tamper.test.ts', '--no-file-parallelism'],
      env: { ...noEcho, FIXTURE_TAMPER: '1' },
    })
    expect(run.status('tamper with the policy')).toBe('passed')
    // The file on disk now allows everything, and its lock matches it…
    const onDisk = JSON.parse(readFileSync(join(repo.dir, 'testbed.policy.json'), 'utf8'))
    expect(onDisk.pipelines.main.skipped).toEqual({ allowed: true, max: 100 })
    expect(JSON.parse(readFileSync(join(repo.dir, 'testbed.policy.lock'), 'utf8')).digest).toBe(
      policyDigest(onDisk),
    )
    // …yet the run enforced the policy it loaded before any test ran, and reports that one.
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(` Policy: testbed.policy.json version 1.0.0 (${digest}, locked, hard)`)
    expect(run.stderr).toContain("✗ refused [main] 'flaky' retried 1 time")
    expect(run.stderr).toContain(
      "✗ refused [main] 1 skipped with a reason — 1 tests skipped ('needs echo'); the policy allows 0",
    )
    expect(repo.audit().every((e) => e.policy.digest === digest)).toBe(true)
  })
})
