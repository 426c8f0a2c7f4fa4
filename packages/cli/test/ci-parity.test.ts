// The document's CI-parity table, each row against real workflow files (fixtures/ci-workflows):
// workflow parsing, matrix expansion (GitHub's documented examples and the document's
// lint → test (py39, py310, py311) → coverage), job dependencies, the DAG, cycles, parallel stages,
// GitLab's stage ordering, dependencies kept through matrices, and status aggregation.
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { findCycle, stagesOf } from '../src/ci/dag.ts'
import type { CiJob, CiWorkflow } from '../src/ci/model.ts'
import { execute, type JobResult } from '../src/ci/status.ts'
import { readWorkflow } from '../src/ci/workflows.ts'

const root = fileURLToPath(new URL('./fixtures/ci-workflows', import.meta.url))
const read = (name: string) => readWorkflow(root, name.startsWith('.') ? name : `.github/workflows/${name}`)
const ids = (jobs: readonly CiJob[]) => jobs.map((j) => j.id)
const job = (workflow: CiWorkflow, id: string) => workflow.jobs.find((j) => j.id === id) as CiJob
const matricesOf = (workflow: CiWorkflow, key: string) =>
  workflow.jobs.filter((j) => j.key === key).map((j) => j.matrix)

describe('CI parity: GitHub Actions', { tags: ['tier1'] }, () => {
  test("workflow parsing: the document's example, with GitHub's parser", async () => {
    const seed = await read('seed.yml')
    expect(seed).toMatchObject({ kind: 'github', file: '.github/workflows/seed.yml', name: 'Seed example' })
    expect(new Set(seed.jobs.map((j) => j.key))).toEqual(new Set(['lint', 'test', 'coverage']))
    expect(job(seed, 'lint').steps[0]?.run).toBe('ruff check .')
    // ${{ matrix.python }} substituted in each expansion's run command.
    expect(job(seed, 'test (py310)').steps[0]?.run).toBe('tox -e py310')
  })

  test('matrix expansion and dependencies kept: lint → test (py39, py310, py311) → coverage', async () => {
    const seed = await read('seed.yml')
    expect(ids(seed.jobs)).toEqual(['lint', 'test (py39)', 'test (py310)', 'test (py311)', 'coverage'])
    for (const python of ['py39', 'py310', 'py311']) {
      expect(job(seed, `test (${python})`).needs).toEqual(['lint'])
      expect(job(seed, `test (${python})`).matrix).toEqual({ python })
    }
    // coverage needs `test`: every one of its expansions.
    expect(job(seed, 'coverage').needs).toEqual(['test (py39)', 'test (py310)', 'test (py311)'])
    expect(stagesOf(seed.jobs).map(ids)).toEqual([
      ['lint'],
      ['test (py39)', 'test (py310)', 'test (py311)'],
      ['coverage'],
    ])
  })

  describe("matrix expansion: the examples of GitHub's 'Running variations of jobs in a workflow'", () => {
    test('a multi-dimension matrix: six jobs, in the documented order', async () => {
      expect(matricesOf(await read('docs-matrices.yml'), 'example_matrix')).toEqual([
        { version: 10, os: 'ubuntu-latest' },
        { version: 10, os: 'windows-latest' },
        { version: 12, os: 'ubuntu-latest' },
        { version: 12, os: 'windows-latest' },
        { version: 14, os: 'ubuntu-latest' },
        { version: 14, os: 'windows-latest' },
      ])
    })

    test('include: merged where it overwrites no original value, added where it fits none', async () => {
      expect(matricesOf(await read('docs-matrices.yml'), 'include_example')).toEqual([
        { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
        { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
        { fruit: 'pear', animal: 'cat', color: 'pink' },
        { fruit: 'pear', animal: 'dog', color: 'green' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' },
      ])
    })

    test('expanding configurations: npm 6 only for windows-latest and node 16', async () => {
      const combinations = matricesOf(await read('docs-matrices.yml'), 'expand_example')
      expect(combinations).toHaveLength(6)
      expect(combinations.filter((m) => m && 'npm' in m)).toEqual([
        { os: 'windows-latest', node: 16, npm: 6 },
      ])
    })

    test('adding configurations: ten jobs, the tenth windows-latest with version 17', async () => {
      const combinations = matricesOf(await read('docs-matrices.yml'), 'add_example')
      expect(combinations).toHaveLength(10)
      expect(combinations[9]).toEqual({ os: 'windows-latest', version: 17 })
    })

    test('include only: a job per entry', async () => {
      expect(matricesOf(await read('docs-matrices.yml'), 'includes_only')).toEqual([
        { site: 'production', datacenter: 'site-a' },
        { site: 'staging', datacenter: 'site-b' },
      ])
    })

    test('exclude: partial matches removed, nine of twelve jobs', async () => {
      const combinations = matricesOf(await read('docs-matrices.yml'), 'exclude_example')
      expect(combinations).toHaveLength(9)
      expect(combinations).not.toContainEqual({ os: 'macos-latest', version: 12, environment: 'production' })
      expect(combinations.filter((m) => m?.os === 'windows-latest' && m.version === 16)).toEqual([])
      expect(combinations).toContainEqual({ os: 'macos-latest', version: 12, environment: 'staging' })
    })

    test('"an example closer to reality": seven jobs, five perls on ubuntu and two on macos', async () => {
      const combinations = matricesOf(await read('docs-matrices.yml'), 'perl')
      expect(combinations).toHaveLength(7)
      expect(combinations.filter((m) => m?.os === 'macos-latest')).toEqual([
        { os: 'macos-latest', perl: '5.26' },
        { os: 'macos-latest', perl: 'latest' },
      ])
    })

    test('fail-fast with continue-on-error from matrix.experimental: four jobs, one experimental', async () => {
      const jobs = (await read('docs-matrices.yml')).jobs.filter((j) => j.key === 'failfast')
      expect(jobs.map((j) => [j.id, j.continueOnError, j.failFast])).toEqual([
        ['failfast (6, false)', false, true],
        ['failfast (7, false)', false, true],
        ['failfast (8, false)', false, true],
        ['failfast (9, true)', true, true],
      ])
    })
  })

  test('job dependencies, the DAG and parallel stages: a diamond beside a job on its own', async () => {
    const stages = await read('stages.yml')
    expect(Object.fromEntries(stages.jobs.map((j) => [j.id, j.needs]))).toEqual({
      a: [],
      b: ['a'],
      c: ['a'],
      d: ['b', 'c'],
      solo: [],
    })
    expect(findCycle(stages.jobs)).toBeUndefined()
    expect(stagesOf(stages.jobs).map(ids)).toEqual([['a', 'solo'], ['b', 'c'], ['d']])
  })

  test('cycles are found and named, in the order of the needs', async () => {
    const cycle = await readWorkflow(
      fileURLToPath(new URL('./fixtures/ci-bad', import.meta.url)),
      '.github/workflows/cycle.yml',
    ).catch((e: Error) => e)
    expect(cycle).toBeInstanceOf(Error)
    expect((cycle as Error).message).toBe(
      ".github/workflows/cycle.yml:7: the jobs' needs make a cycle: a → c → b → a",
    )
  })

  test('a local reusable workflow: its jobs with the inputs given, the needs kept through its matrix', async () => {
    const caller = await read('caller.yml')
    expect(ids(caller.jobs)).toEqual([
      'prepare',
      'pipeline (main) / test',
      'pipeline (main) / check',
      'pipeline (enterprise) / test',
      'pipeline (enterprise) / check',
      'publish',
    ])
    expect(job(caller, 'pipeline (main) / test')).toMatchObject({
      name: 'pipeline (main) / main tests',
      needs: ['prepare'],
    })
    expect(job(caller, 'pipeline (enterprise) / test').steps[0]).toMatchObject({
      run: 'npx vitest run --project enterprise',
      env: { TESTBED_REQUIRE: 'postgres' },
    })
    expect(job(caller, 'pipeline (main) / check').needs).toEqual(['pipeline (main) / test'])
    expect(job(caller, 'publish').needs).toHaveLength(4)
  })
})

describe('CI parity: GitLab CI', { tags: ['tier1'] }, () => {
  test('stage ordering, needs across stages, parallel: matrix, needs through the matrix', async () => {
    const gitlab = await read('.gitlab-ci.yml')
    const unit = ['unit: [aws, one]', 'unit: [gcp, one]', 'unit: [azure]']
    expect(ids(gitlab.jobs)).toEqual(['compile', 'lint', ...unit, 'docs', 'release', 'cleanup'])
    // Without needs: every job of the earlier stages.
    expect(job(gitlab, 'unit: [aws, one]').needs).toEqual(['compile', 'lint'])
    expect(job(gitlab, 'unit: [azure]')).toMatchObject({ matrix: { PROVIDER: 'azure' }, stage: 'test' })
    expect(job(gitlab, 'unit: [gcp, one]').env).toMatchObject({
      GLOBAL: 'everywhere',
      PROVIDER: 'gcp',
      STACK: 'one',
    })
    // needs: [] starts at once; needs: [unit] waits for all of unit's jobs.
    expect(job(gitlab, 'docs').needs).toEqual([])
    expect(job(gitlab, 'release')).toMatchObject({ needs: unit, continueOnError: true })
    expect(job(gitlab, 'cleanup')).toMatchObject({ stage: '.post', condition: { kind: 'always' } })
    expect(job(gitlab, 'cleanup').needs).toEqual(['compile', 'lint', ...unit, 'docs', 'release'])
    expect(stagesOf(gitlab.jobs).map(ids)).toEqual([
      ['compile', 'lint', 'docs'],
      unit,
      ['release'],
      ['cleanup'],
    ])
  })
})

/** Runs the workflow's jobs with the raw results `results` gives (default success): GitHub's decisions. */
async function aggregate(workflow: CiWorkflow, results: Record<string, 'success' | 'failure'>) {
  const ran: string[] = []
  const { outcomes, conclusion } = await execute(workflow.jobs, {
    async run(j) {
      ran.push(j.id)
      return results[j.id] ?? 'success'
    },
  })
  const result = (id: string): JobResult | undefined => outcomes.get(id)?.result
  return { ran, outcomes, conclusion, result }
}

describe('CI parity: status aggregation as GitHub does it', { tags: ['tier1'] }, () => {
  test('all succeed: success, and failure()-only jobs are skipped', async () => {
    const { conclusion, result } = await aggregate(await read('status.yml'), {})
    expect(conclusion).toBe('success')
    expect(result('package')).toBe('success')
    expect(result('on-failure')).toBe('skipped')
    expect(result('when-build-failed')).toBe('skipped')
    // Conditions over `github`, evaluated by GitHub's evaluator for a push of this checkout.
    expect(result('on-push')).toBe('success')
    expect(result('on-pull-request')).toBe('skipped')
  })

  test('a failed job: the jobs needing it (even through others) skipped, always() and failure() run', async () => {
    const { conclusion, result, ran } = await aggregate(await read('status.yml'), { build: 'failure' })
    expect(conclusion).toBe('failure')
    expect(result('test')).toBe('skipped')
    expect(result('package')).toBe('skipped')
    expect(result('report')).toBe('success')
    expect(result('on-failure')).toBe('success')
    expect(result('when-build-failed')).toBe('success')
    expect(ran).not.toContain('test')
  })

  test('continue-on-error: a failure does not fail the workflow, and the job after it runs', async () => {
    const { conclusion, outcomes, result } = await aggregate(await read('status.yml'), {
      experimental: 'failure',
    })
    expect(conclusion).toBe('success')
    expect(outcomes.get('experimental')).toEqual({ result: 'success', continuedOnError: true })
    expect(result('after-experimental')).toBe('success')
  })

  test('fail-fast cancels the rest of the matrix; without it they run', async () => {
    const failing = await aggregate(await read('status.yml'), {
      'matrix (1)': 'failure',
      'no-fail-fast (1)': 'failure',
    })
    expect(failing.conclusion).toBe('failure')
    expect(['matrix (1)', 'matrix (2)', 'matrix (3)'].map(failing.result)).toEqual([
      'failure',
      'cancelled',
      'cancelled',
    ])
    expect(['no-fail-fast (1)', 'no-fail-fast (2)', 'no-fail-fast (3)'].map(failing.result)).toEqual([
      'failure',
      'success',
      'success',
    ])
  })
})
