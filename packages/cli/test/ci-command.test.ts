// `testbed ci plan` and `testbed ci run` as a user runs them: this repository's own workflows
// planned onto its pipelines (main, enterprise), every kind of mismatch reported, and a small
// fixture repository's workflows run for real through Vitest — matrix values and env reaching the
// steps, GitHub's results (skipped, always(), fail-fast, continue-on-error), --job, and Ctrl-C.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import { processesIn } from './ci-support.ts'
import { alive, start, testbed } from './testbed-command.ts'

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url))
/** Not the real step summary of a CI run of these tests. */
const NO_SUMMARY = { GITHUB_STEP_SUMMARY: '' }

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A fresh copy of fixtures/ci-repo (its node_modules: this repository's), with a dir for records. */
function ciRepo(): { dir: string; records: string } {
  const dir = tempDir('ci-run-repo-')
  cpSync(join(fixtures, 'ci-repo'), dir, { recursive: true })
  symlinkSync(join(repositoryRoot, 'node_modules'), join(dir, 'node_modules'))
  const records = join(dir, 'records')
  mkdirSync(records)
  return { dir, records }
}

const recorded = (records: string) =>
  readdirSync(records)
    .map((f) => f.replace(/\.json$/, ''))
    .sort()
const record = (records: string, name: string) =>
  JSON.parse(readFileSync(join(records, `${name}.json`), 'utf8'))

/** The job lines of `ci run`'s output, in order: `▶ job` when it starts, `✓ job: result` when settled. */
const started = (stdout: string) => [...stdout.matchAll(/^▶ (.+?)(?: {2}matrix: .*)?$/gm)].map((m) => m[1])
const settled = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^[✓✗⊘○] (.+?): (\w+)(.*)$/gm)].map((m) => [m[1], `${m[2]}${m[3]}`]))

describe('testbed ci plan', { tags: ['e2e'] }, () => {
  test("this repository's workflows plan without error onto its pipelines, and Mermaid goes to the step summary", async () => {
    const summary = join(tempDir('ci-plan-summary-'), 'summary.md')
    writeFileSync(summary, '')
    const { code, stdout, stderr } = await testbed(['ci', 'plan'], repositoryRoot, {
      GITHUB_STEP_SUMMARY: summary,
    })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const main = stdout.slice(stdout.indexOf('.github/workflows/main.yml'))
    expect(main).toMatch(/└── test {2}"Lint, typecheck, main pipeline"\n/)
    expect(main).toMatch(
      /testbed: main ← Main pipeline\n\s+require: postgres,docker,compose,nats,redis,s3,s3_clients,vault_clients,psql/,
    )
    expect(main).toMatch(/not run locally: actions\/checkout@v4; actions\/setup-node@v4; npm ci;/)
    const enterprise = stdout.slice(
      stdout.indexOf('.github/workflows/enterprise.yml'),
      stdout.indexOf('.github/workflows/main.yml'),
    )
    expect(enterprise).toMatch(/enterprise {2}"Enterprise pipeline" {2}\[continue-on-error\]/)
    expect(enterprise).toMatch(/services: vault \(hashicorp\/vault:1\.18\), postgres \(postgres:17\)/)
    expect(enterprise).toMatch(/testbed: enterprise ← Enterprise pipeline\n\s+require: — {2}real: vault/)
    expect(enterprise).toMatch(
      /stage 2\n└── summary {2}"Summary" {2}\[if: always\(\)\]\n\s+needs: enterprise/,
    )
    expect(stdout).toMatch(
      /reusable-testbed\.yml — Testbed pipeline \(reusable\) \(reusable: checked where it is called\)/,
    )
    expect(stdout).toContain('pipelines: main, enterprise; policy:')
    expect(stdout).toContain('mismatches: none')
    const mermaid = readFileSync(summary, 'utf8')
    expect(mermaid).toMatch(/^## Testbed CI plan\n\n```mermaid\nflowchart LR\n/)
    expect(mermaid).toMatch(/w0j0\["enterprise<br\/>testbed: main, enterprise"\]/)
    expect(mermaid).toContain('w0j0 --> w0j1')
  })

  test('every mismatch: no job, an unknown project, a service the policy requires, optional blocking, blocking optional', async () => {
    const { code, stdout } = await testbed(['ci', 'plan'], join(fixtures, 'ci-mismatch'), NO_SUMMARY)
    expect(code).toBe(1)
    expect(stdout).toContain('via npm test → vitest run --project main --project enterprise')
    const mismatches = stdout.slice(stdout.indexOf('mismatches:')).split('\n')
    expect(mismatches.slice(0, 6)).toEqual([
      'mismatches: 5',
      "  ✗ pipeline 'nightly' is run by no job",
      "  ✗ job 'everything' runs pipeline 'main', whose policy requires postgres, but provides it neither as a service container nor through TESTBED_REQUIRE (a run without it would skip, not fail)",
      "  ✗ job 'enterprise' runs the optional pipeline 'enterprise' without continue-on-error: its failure fails the workflow",
      "  ✗ job 'typo' runs project 'enterprize', which is not a pipeline (pipelines: main, enterprise, nightly)",
      "  ✗ the blocking pipeline 'main' runs only with continue-on-error (job 'everything'): its failure does not fail the workflow",
    ])
  })
})

describe('testbed ci run', { tags: ['e2e'] }, () => {
  test('the Testbed jobs in DAG order, each with its matrix values and the workflow, job and step env', async () => {
    const { dir, records } = ciRepo()
    const { code, stdout } = await testbed(['ci', 'run', 'ci'], dir, {
      ...NO_SUMMARY,
      CI_RECORD_DIR: records,
    })
    expect(code).toBe(0)
    expect(started(stdout)).toEqual(['lint', 'test (one)', 'test (two)', 'enterprise', 'summary'])
    expect(settled(stdout)).toEqual({
      lint: 'success',
      'test (one)': 'success',
      'test (two)': 'success',
      enterprise: 'success',
      summary: 'success',
    })
    // What was left out, and why.
    expect(stdout).toContain(
      "left out: actions/setup-node@v4 — an action (actions/setup-node@v4): the CI's set-up, not Testbed",
    )
    expect(stdout).toContain('left out: npx biome check . — runs neither Vitest nor testbed')
    expect(stdout).toContain('$ RECORD_AS=test-two npx vitest run --project main test/record.test.ts')
    expect(recorded(records)).toEqual(['summary', 'test-one', 'test-two'])
    expect(record(records, 'test-one')).toEqual({
      WORKFLOW_LEVEL: 'workflow',
      JOB_LEVEL: 'job-one',
      STEP_LEVEL: 'step-one',
      SHARD: 'one',
      CI: 'true',
      TESTBED_REQUIRE: 'postgres',
      TESTBED_REAL: 'vault',
    })
    expect(record(records, 'summary')).toMatchObject({
      WORKFLOW_LEVEL: 'workflow',
      JOB_LEVEL: null,
      SHARD: null,
    })
    expect(stdout).toMatch(/\nworkflow \.github\/workflows\/ci\.yml: success\n$/)
    expect(processesIn(dir)).toEqual([])
  })

  test("GitHub's results: a failure skips what needs it, always() runs, fail-fast cancels, continue-on-error does not fail", async () => {
    const { dir, records } = ciRepo()
    const { code, stdout } = await testbed(['ci', 'run', 'failing'], dir, {
      ...NO_SUMMARY,
      CI_RECORD_DIR: records,
    })
    expect(code).toBe(1)
    expect(settled(stdout)).toEqual({
      broken: 'failure',
      'after-broken': 'skipped (success() is false: broken failure)',
      report: 'success',
      'matrix (x, 1)': 'failure',
      'matrix (y)': 'cancelled (fail-fast: matrix (x, 1) failed)',
      optional: 'success (failed, continue-on-error)',
      'after-optional': 'success',
    })
    // Run for real: the ones that ran wrote their record; the skipped and cancelled did not.
    expect(recorded(records)).toEqual(['after-optional', 'broken', 'matrix-x', 'optional', 'report'])
    expect(stdout).toMatch(/\nworkflow \.github\/workflows\/failing\.yml: failure\n$/)
    expect(processesIn(dir)).toEqual([])
  })

  test('a GitLab pipeline: its stages in order, parallel: matrix values as variables', async () => {
    const { dir, records } = ciRepo()
    const { code, stdout } = await testbed(['ci', 'run', '.gitlab-ci.yml'], dir, {
      ...NO_SUMMARY,
      CI_RECORD_DIR: records,
    })
    expect(code).toBe(0)
    expect(started(stdout)).toEqual(['unit: [one]', 'unit: [two]', 'report'])
    expect(stdout).toContain('left out: npm ci — runs neither Vitest nor testbed')
    expect(recorded(records)).toEqual(['gitlab-one', 'gitlab-report', 'gitlab-two'])
    // A variable naming another (JOB_LEVEL: job-$SHARD) is expanded, as GitLab does.
    expect(record(records, 'gitlab-two')).toMatchObject({
      WORKFLOW_LEVEL: 'gitlab',
      JOB_LEVEL: 'job-two',
      SHARD: 'two',
    })
    expect(stdout).toMatch(/\nworkflow \.gitlab-ci\.yml: success\n$/)
  })

  test('--job runs only that job, every expansion of it; an unknown job is one error listing the jobs', async () => {
    const { dir, records } = ciRepo()
    const { code, stdout } = await testbed(['ci', 'run', 'ci', '--job', 'test'], dir, {
      ...NO_SUMMARY,
      CI_RECORD_DIR: records,
    })
    expect(code).toBe(0)
    expect(started(stdout)).toEqual(['test (one)', 'test (two)'])
    expect(recorded(records)).toEqual(['test-one', 'test-two'])
    const unknown = await testbed(['ci', 'run', 'ci', '--job', 'deploy'], dir, NO_SUMMARY)
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "testbed: no job 'deploy' in .github/workflows/ci.yml (jobs: lint, test, enterprise, summary)\n",
    })
  })

  test("Ctrl-C stops the running job's process tree and runs nothing more", async () => {
    const { dir, records } = ciRepo()
    const holdFile = join(dir, 'hold.pid')
    const running = start(['ci', 'run', 'hold'], dir, {
      ...NO_SUMMARY,
      CI_RECORD_DIR: records,
      HOLD_FILE: holdFile,
    })
    // The held test's worker writes its pid once it runs; bounded, generously, for a loaded machine.
    const deadline = performance.now() + 120_000
    while (!(existsSync(holdFile) && readFileSync(holdFile, 'utf8')) && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 100))
    const worker = Number(readFileSync(holdFile, 'utf8'))
    expect(alive(worker)).toBe(true)
    running.child.kill('SIGINT')
    const { code, stdout } = await running.finished
    expect(code).toBe(130)
    expect(stdout).toContain('testbed ci run: interrupted — stopping the running step, running nothing more')
    expect(settled(stdout)).toEqual({ hold: 'cancelled', after: 'cancelled (the run was cancelled)' })
    expect(started(stdout)).toEqual(['hold'])
    expect(recorded(records)).toEqual([])
    expect(alive(worker)).toBe(false)
    expect(processesIn(dir)).toEqual([])
  })
})
