// The per-test database as a test sees it: the test's own duration in Vitest's JSON report (its
// fixtures' setup and teardown included), over back-to-back one-query tests on one worker, p50/p95,
// for Testbed's `database` fixture (adapted, and at the old fixed depth of 2) and its rollback mode
// beside a hand-written beforeEach with CREATE DATABASE … TEMPLATE, each a nested `vitest run` of
// bench/projects/database-as-test-sees-it, alternating; and the same
// tests with no database, for what Vitest and Testbed cost per test on their own.
//   node bench/database-as-test-sees-it.ts [provider=embedded] [--rounds N] [--tests N] [--json]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { failureReason, runVitest } from './nested-vitest.ts'
import { args, finish, percentiles, report } from './stats.ts'

const root = fileURLToPath(new URL('./projects/database-as-test-sees-it/', import.meta.url))
const provider = args[0] ?? 'embedded'
const option = (flag: string, fallback: number) => {
  const at = process.argv.indexOf(flag)
  return at > 0 ? Number(process.argv[at + 1]) : fallback
}
const rounds = option('--rounds', 2)
const tests = option('--tests', 300)
const ways: Array<{ way: string; file: string; env?: Record<string, string> }> = [
  { way: "Testbed's database fixture", file: 'testbed.test.ts' },
  {
    // The fixed depth before session 18, on today's clone connections and kernel copy.
    way: "Testbed's database fixture, TESTBED_POSTGRES_POOL=2",
    file: 'testbed.test.ts',
    env: { TESTBED_POSTGRES_POOL: '2' },
  },
  { way: 'hand-written beforeEach (CREATE DATABASE … TEMPLATE)', file: 'hand-written.test.ts' },
  { way: "Testbed's rollbackDatabase fixture (no new database)", file: 'rollback.test.ts' },
  { way: 'no database (Vitest and Testbed alone, for reference)', file: 'no-database.test.ts' },
]

interface JsonReport {
  testResults: Array<{ assertionResults: Array<{ status: string; duration?: number | null }> }>
}

const out = mkdtempSync(join(tmpdir(), 'testbed-bench-'))
const durations = ways.map(() => [] as number[])
const cpu = ways.map(() => 0)
const wall = ways.map(() => 0)
try {
  for (let round = 0; round < rounds; round++) {
    for (const [i, { file, env }] of ways.entries()) {
      const outputFile = join(out, `${i}-${round}.json`)
      const run = await runVitest(
        root,
        [file, '--project', 'main', '--reporter=json', `--outputFile=${outputFile}`],
        {
          TESTBED_POSTGRES_PROVIDERS: provider,
          BENCH_TESTS: String(tests),
          ...env,
        },
      )
      if (run.code !== 0) throw new Error(`${file}: ${failureReason(run.output)}`)
      const json = JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport
      const results = json.testResults.flatMap((f) => f.assertionResults)
      if (results.length !== tests || results.some((r) => r.status !== 'passed'))
        throw new Error(
          `${file}: expected ${tests} passed tests, got ${results.map((r) => r.status).join(',')}`,
        )
      // The first test of a run also waits for the pool's first clone: counted, as a user would.
      durations[i]?.push(...results.map((r) => r.duration ?? Number.NaN))
      cpu[i] = (cpu[i] ?? 0) + run.cpuMs
      wall[i] = (wall[i] ?? 0) + run.ms
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true })
}
const hand = Number(
  percentiles(durations[ways.findIndex((w) => w.file === 'hand-written.test.ts')] ?? []).p50,
)
report(
  `database per test as a test sees it (Vitest's test duration, ms; ${rounds} alternating rounds of ${tests} tests, ${provider})`,
  ways.map(({ way }, i) => {
    const p = percentiles(durations[i] ?? [])
    return {
      way,
      ...p,
      'p50 / hand-written': (Number(p.p50) / hand).toFixed(2),
      'run wall (ms)': ((wall[i] ?? 0) / rounds).toFixed(0),
      'run CPU (ms)': ((cpu[i] ?? 0) / rounds).toFixed(0),
    }
  }),
)
finish('database-as-test-sees-it', { rounds })
