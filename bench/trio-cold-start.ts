// Cold start of the seed's trio (PostgreSQL + Redis + NATS JetStream) to the first test: the three
// started from the machine's binaries, as three containers (images built locally by .ci/images/*.sh),
// and as the seed's compose file (the same images, one `docker compose up`), alternating, median of 3;
// from spawning vitest.   node bench/trio-cold-start.ts
import { fileURLToPath } from 'node:url'
import { runVitest } from './nested-vitest.ts'
import { median, report } from './stats.ts'

const root = fileURLToPath(new URL('./projects/trio-cold-start/', import.meta.url))
const images = {
  TESTBED_POSTGRES_IMAGE: process.env.TESTBED_POSTGRES_IMAGE ?? 'testbed/postgres:15',
  TESTBED_REDIS_IMAGE: process.env.TESTBED_REDIS_IMAGE ?? 'testbed/redis:7',
  TESTBED_NATS_IMAGE: process.env.TESTBED_NATS_IMAGE ?? 'testbed/nats:2.9',
}
const times: Record<string, number[]> = { binary: [], container: [], compose: [] }
for (let round = 0; round < 3; round++) {
  for (const provider of ['binary', 'container', 'compose']) {
    const env = {
      ...images,
      TESTBED_POSTGRES_PROVIDERS: provider,
      TESTBED_REDIS_PROVIDERS: provider,
      TESTBED_NATS_PROVIDERS: provider,
    }
    const run = await runVitest(root, ['--project', 'main'], env)
    const at = /FIRST_TEST_AT (\d+)/.exec(run.output)
    if (run.code !== 0 || !at) throw new Error(`${provider} run failed:\n${run.output}`)
    times[provider] = [...(times[provider] ?? []), Number(at[1]) - run.spawnedAt]
  }
}
report('the trio, cold start to first test (ms, median of 3)', [
  { providers: 'binaries', median: median(times.binary ?? []).toFixed(0) },
  { providers: 'containers', median: median(times.container ?? []).toFixed(0) },
  { providers: 'compose file', median: median(times.compose ?? []).toFixed(0) },
])
