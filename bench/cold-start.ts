// Cold start to first test: from spawning `vitest run` to the first line of a test that has a fresh
// migrated PostgreSQL database, per provider, in alternating rounds, beside a run of the same project
// whose filter leaves only a test needing no service (Vitest's and Testbed's own start), beside plain
// Vitest running the same trivial test with no Testbed at all (projects/cold-start/plain: the floor),
// and the service's start time from Testbed's table. `binary` and `embedded` run in four ways: with the
// cluster cache (a copy of a cached cluster with the migrated template in it; the cache is warmed
// before the rounds, as any run after a machine's first has it), with it but migrations given as a
// function (template-per-run.config.ts: the cache keeps the initialised cluster alone, the template
// is migrated every run), with services started only when a test asks (TESTBED_PRESTART=off, not as
// the run's start reads the files' markers), and without it (`TESTBED_POSTGRES_CLUSTER_CACHE=off`: initdb every run).
// A provider this machine cannot run (no Docker engine for `container`) is reported as not run.
//   node bench/cold-start.ts [providers] [--rounds N] [--json]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { failureReason, runVitest } from './nested-vitest.ts'
import { args, finish, median, notRunVariants, percentiles, report, skipVariant } from './stats.ts'

const root = fileURLToPath(new URL('./projects/cold-start/', import.meta.url))
const plainRoot = fileURLToPath(new URL('./projects/cold-start/plain/', import.meta.url))
const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--rounds')
const providers = (positional[0] ?? 'embedded,binary,container').split(',')
const roundsAt = process.argv.indexOf('--rounds')
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 3
// A cache of this bench's own, so that what it measures does not depend on what ran before.
const cache = mkdtempSync(join(tmpdir(), 'bench-cluster-cache-'))
const plain = '(plain Vitest, no Testbed)'
const noService = '(no service needed)'
const uncached = (p: string) => `${p}, no cluster cache`
const perRun = (p: string) => `${p}, template migrated every run`
const onRequest = (p: string) => `${p}, started when a test asks (TESTBED_PRESTART=off)`
const variants = [
  plain,
  noService,
  ...providers.flatMap((p) =>
    p === 'binary' || p === 'embedded' ? [p, onRequest(p), perRun(p), uncached(p)] : [p],
  ),
]
const envOf = (variant: string): Record<string, string> => {
  const provider =
    variant === noService
      ? 'embedded'
      : variant.replace(/, (no cluster cache|template migrated every run|started when a test asks.*)$/, '')
  return {
    ...(variant.includes('TESTBED_PRESTART=off') && { TESTBED_PRESTART: 'off' }),
    TESTBED_POSTGRES_PROVIDERS: provider,
    TESTBED_POSTGRES_CLUSTER_CACHE: variant.endsWith('no cluster cache') ? 'off' : cache,
  }
}
const firstTest: Record<string, number[]> = {}
const serviceStart: Record<string, number[]> = {}
const cpu: Record<string, number[]> = {}
const record = (table: Record<string, number[]>, key: string, value: number) => {
  table[key] = [...(table[key] ?? []), value]
}
try {
  // Warm the cache: the first start of a version runs initdb and caches its cluster.
  for (const p of providers.filter((p) => p === 'binary' || p === 'embedded'))
    await runVitest(root, ['--project', 'main'], envOf(p))
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      if (notRunVariants().has(variant)) continue
      const vitestArgs = [
        '--project',
        'main',
        ...(variant === noService ? ['--tags-filter', 'not requires_postgres'] : []),
        // Migrations as a function: the cached cluster comes without the template (the cache before session 18).
        ...(variant.endsWith('every run') ? ['--config', `${root}template-per-run.config.ts`] : []),
      ]
      const run =
        variant === plain ? await runVitest(plainRoot, []) : await runVitest(root, vitestArgs, envOf(variant))
      const at = /(?:FIRST|PLAIN)_TEST_AT (\d+)/.exec(run.output)
      if (run.code !== 0 || !at) {
        if (variant === noService || variant === plain)
          throw new Error(`${variant} run failed:\n${run.output}`)
        skipVariant(variant, failureReason(run.output))
        continue
      }
      record(firstTest, variant, Number(at[1]) - run.spawnedAt)
      record(cpu, variant, run.cpuMs)
      const started = /postgres ready via \w+ in ([\d.]+) s/.exec(run.output)
      if (started) record(serviceStart, variant, Number(started[1]) * 1000)
    }
  }
} finally {
  rmSync(cache, { recursive: true, force: true })
}
const base = median(firstTest[noService] ?? [])
const floor = median(firstTest[plain] ?? [])
report(`cold start to first test (ms, from spawning vitest; medians (p95) of ${rounds} alternating rounds)`, [
  ...variants
    .filter((v) => !notRunVariants().has(v))
    .map((v) => ({
      provider: v,
      'first test': median(firstTest[v] ?? []).toFixed(0),
      p95: Number(percentiles(firstTest[v] ?? []).p95).toFixed(0),
      'min–max': `${Math.min(...(firstTest[v] ?? [])).toFixed(0)}–${Math.max(...(firstTest[v] ?? [])).toFixed(0)}`,
      'first test − no service': (median(firstTest[v] ?? []) - base).toFixed(0),
      'first test − plain Vitest': (median(firstTest[v] ?? []) - floor).toFixed(0),
      'CPU (vitest and children)': median(cpu[v] ?? []).toFixed(0),
      'service start (incl. template)': serviceStart[v] ? median(serviceStart[v]).toFixed(0) : '—',
    })),
])
finish('cold-start', { rounds })
