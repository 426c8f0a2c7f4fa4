// Cold start to first test: from spawning `vitest run` to the first line of a test that has a fresh
// migrated PostgreSQL database, per provider, median of 3 alternating rounds, beside a run of the same
// project whose filter leaves only a test needing no service (Vitest's and Testbed's own start), and
// the service's start time from Testbed's table. A provider this machine cannot run (no Docker
// engine for `container`) is reported as not run, with the reason.
//   node bench/cold-start.ts [providers] [--json]
import { fileURLToPath } from 'node:url'
import { failureReason, runVitest } from './nested-vitest.ts'
import { args, finish, median, notRunVariants, report, skipVariant } from './stats.ts'

const root = fileURLToPath(new URL('./projects/cold-start/', import.meta.url))
const providers = (args[0] ?? 'embedded,binary,container').split(',')
const firstTest: Record<string, number[]> = {}
const serviceStart: Record<string, number[]> = {}
const record = (table: Record<string, number[]>, key: string, value: number) => {
  table[key] = [...(table[key] ?? []), value]
}
const noService = '(no service needed)'
for (let round = 0; round < 3; round++) {
  for (const provider of [noService, ...providers]) {
    if (notRunVariants().has(provider)) continue
    const args =
      provider === noService
        ? ['--project', 'main', '--tags-filter', 'not requires_postgres']
        : ['--project', 'main']
    const run = await runVitest(root, args, {
      TESTBED_POSTGRES_PROVIDERS: provider === noService ? 'embedded' : provider,
    })
    const at = /(?:FIRST|PLAIN)_TEST_AT (\d+)/.exec(run.output)
    if (run.code !== 0 || !at) {
      if (provider === noService) throw new Error(`${provider} run failed:\n${run.output}`)
      skipVariant(provider, failureReason(run.output))
      continue
    }
    record(firstTest, provider, Number(at[1]) - run.spawnedAt)
    const started = /postgres ready via \w+ in ([\d.]+) s/.exec(run.output)
    if (started) record(serviceStart, provider, Number(started[1]) * 1000)
  }
}
report('cold start to first test (ms, from spawning vitest)', [
  ...[noService, ...providers.filter((p) => !notRunVariants().has(p))].map((p) => ({
    provider: p,
    'first test': median(firstTest[p] ?? []).toFixed(0),
    'service start (incl. template)': serviceStart[p] ? median(serviceStart[p]).toFixed(0) : '—',
  })),
])
finish('cold-start', { rounds: 3 })
