// Repeated local runs with `testbed up --detach` against without: examples/secure-notes' main
// pipeline (PostgreSQL, S3, NATS, Redis), cold start (spawning vitest) to the first test's end, wall
// and CPU time of the run, median of alternating rounds (reversed every other round) after one
// warm-up run of each, and the median of each round's ratio. `fresh`: the run starts its own
// services (the machine's binaries and Testbed's S3 emulator, or containers); `up`: one `testbed up --pipeline main
// --detach` of the same providers, started before the rounds (its own start reported apart), whose
// services every run takes (provider `up`). CPU: the run's process tree as it waits for it (the `up`
// process is not its child, so its servers' CPU is not counted for `up`; fresh runs count theirs).
//   node bench/up-reuse.ts [rounds=5] [binary|container] [--json]
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runVitest } from './nested-vitest.ts'
import { args, finish, median, report } from './stats.ts'

const rounds = Number(args[0] ?? 5)
/** `binary`: the machine's servers (S3: Testbed's emulator); `container`: the images .ci/images builds. */
const kind = args[1] ?? 'binary'
const root = fileURLToPath(new URL('./projects/up-reuse/', import.meta.url))
const testbedBin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url))
const providers: Record<string, string> = {
  TESTBED_POSTGRES_PROVIDERS: kind,
  TESTBED_S3_PROVIDERS: kind === 'container' ? 'container' : 'embedded',
  TESTBED_NATS_PROVIDERS: kind,
  TESTBED_REDIS_PROVIDERS: kind,
  ...(kind === 'container' && {
    TESTBED_POSTGRES_IMAGE: process.env.TESTBED_POSTGRES_IMAGE ?? 'testbed/postgres:15',
    TESTBED_REDIS_IMAGE: process.env.TESTBED_REDIS_IMAGE ?? 'testbed/redis:7',
    TESTBED_NATS_IMAGE: process.env.TESTBED_NATS_IMAGE ?? 'testbed/nats:2.9',
    TESTBED_S3_IMAGE: process.env.TESTBED_S3_IMAGE ?? 'testbed/s3:local',
  }),
}
/** The same providers, with `up` first. */
const withUp = Object.fromEntries(
  Object.entries(providers).map(([k, v]) => [k, k.endsWith('_PROVIDERS') ? `up,${v}` : v]),
)
const variants = {
  fresh: { ...providers, TESTBED_UP: 'off' },
  up: { ...withUp, TESTBED_UP: 'use' },
} as const
type Variant = keyof typeof variants

const testbed = (...command: string[]) =>
  execFileSync(process.execPath, [testbedBin, ...command], {
    cwd: root,
    env: { ...process.env, ...providers },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  })

async function measure(variant: Variant) {
  const run = await runVitest(root, ['--project', 'main'], variants[variant])
  const at = [...run.output.matchAll(/FIRST_TEST_AT (\d+)/g)].map((m) => Number(m[1]))
  if (run.code !== 0 || !at.length || !/7 passed/.test(run.output))
    throw new Error(`${variant} run failed:\n${run.output}`)
  const provider = variant === 'up' ? 'up' : kind
  if (!new RegExp(`postgres\\s+${provider}\\s`).test(run.output))
    throw new Error(`${variant} run did not take postgres from ${provider}:\n${run.output}`)
  return { firstTest: Math.min(...at) - run.spawnedAt, wall: run.ms, cpu: run.cpuMs }
}

const upStarted = performance.now()
testbed('up', '--pipeline', 'main', '--detach', '--format', 'json')
const upStartMs = performance.now() - upStarted
const samples: Record<Variant, Array<Awaited<ReturnType<typeof measure>>>> = { fresh: [], up: [] }
const ratios: Array<{ firstTest: number; wall: number; cpu: number }> = []
try {
  // The first run of each pays for cold caches (Vite's transforms): the comparison is of later runs.
  await measure('fresh')
  await measure('up')
  for (let round = 0; round < rounds; round++) {
    const order: Variant[] = round % 2 ? ['up', 'fresh'] : ['fresh', 'up']
    const got: Partial<Record<Variant, Awaited<ReturnType<typeof measure>>>> = {}
    for (const variant of order) {
      got[variant] = await measure(variant)
      samples[variant].push(got[variant])
    }
    const [f, u] = [got.fresh, got.up] as [
      Awaited<ReturnType<typeof measure>>,
      Awaited<ReturnType<typeof measure>>,
    ]
    ratios.push({ firstTest: f.firstTest / u.firstTest, wall: f.wall / u.wall, cpu: f.cpu / u.cpu })
  }
} finally {
  testbed('down')
}

const of = (variant: Variant, key: 'firstTest' | 'wall' | 'cpu') =>
  median(samples[variant].map((s) => s[key])).toFixed(0)
report(`secure-notes main pipeline (${kind} providers), later local runs (ms, median of ${rounds})`, [
  ...(['fresh', 'up'] as const).map((v) => ({
    variant: v === 'up' ? 'with testbed up --detach' : 'without (own services)',
    'first test': of(v, 'firstTest'),
    wall: of(v, 'wall'),
    cpu: of(v, 'cpu'),
  })),
  {
    variant: 'ratio without / with (median per round)',
    'first test': median(ratios.map((r) => r.firstTest)).toFixed(2),
    wall: median(ratios.map((r) => r.wall)).toFixed(2),
    cpu: median(ratios.map((r) => r.cpu)).toFixed(2),
  },
])
report('testbed up --pipeline main --detach, once before the rounds (ms)', [{ start: upStartMs.toFixed(0) }])
finish('up-reuse', { rounds })
