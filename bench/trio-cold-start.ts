// Cold start of the trio (PostgreSQL + Redis + NATS JetStream) to the first test: the three
// started from the machine's binaries, as three containers (images built locally by .ci/images/*.sh),
// and as examples/compose-trio's compose file (the same images, one `docker compose up`), alternating, median of 3;
// from spawning vitest. A variant this machine cannot run (no Docker engine) is reported as not run,
// with the reason.   node bench/trio-cold-start.ts [--json]
import { fileURLToPath } from 'node:url'
import { failureReason, runVitest } from './nested-vitest.ts'
import { finish, median, notRunVariants, report, skipVariant } from './stats.ts'

const root = fileURLToPath(new URL('./projects/trio-cold-start/', import.meta.url))
const images = {
  TESTBED_POSTGRES_IMAGE: process.env.TESTBED_POSTGRES_IMAGE ?? 'testbed/postgres:15',
  TESTBED_REDIS_IMAGE: process.env.TESTBED_REDIS_IMAGE ?? 'testbed/redis:7',
  TESTBED_NATS_IMAGE: process.env.TESTBED_NATS_IMAGE ?? 'testbed/nats:2.9',
}
const times: Record<string, number[]> = { binary: [], container: [], compose: [] }
for (let round = 0; round < 3; round++) {
  for (const provider of ['binary', 'container', 'compose']) {
    if (notRunVariants().has(provider)) continue
    const env = {
      ...images,
      TESTBED_POSTGRES_PROVIDERS: provider,
      TESTBED_REDIS_PROVIDERS: provider,
      TESTBED_NATS_PROVIDERS: provider,
    }
    const run = await runVitest(root, ['--project', 'main'], env)
    const at = /FIRST_TEST_AT (\d+)/.exec(run.output)
    if (run.code !== 0 || !at) {
      skipVariant(provider, failureReason(run.output))
      continue
    }
    times[provider] = [...(times[provider] ?? []), Number(at[1]) - run.spawnedAt]
  }
}
const names: Record<string, string> = { binary: 'binaries', container: 'containers', compose: 'compose file' }
report(
  'the trio, cold start to first test (ms, median of 3)',
  Object.entries(names)
    .filter(([p]) => !notRunVariants().has(p))
    .map(([p, providers]) => ({ providers, median: median(times[p] ?? []).toFixed(0) })),
)
finish('trio-cold-start', { rounds: 3 })
