// The result cache (docs/result-cache.md) on generated suites (each file imports one of 20 shared
// modules), in two pools: Vitest's defaults (forks, each file isolated: what a user without pool
// settings sees; 150 files, so that a round fits) and its cheapest per-file cost (threads,
// isolate: false; 500 files). In rounds that alternate the order, for each suite: a run without the
// cache (TESTBED_CACHE=off), a cold run with it (an empty store: every file runs and is stored) and a
// warm run (every file a hit); wall and CPU time of each (medians), and per round the speed-up
// (no cache / warm) and the cache's overhead on a cold run (cold / no cache). Then the lookup time per
// file, p50/p95, against the local store and against Testbed's S3 emulator in another process on
// loopback: one key at a time (the latency of a single lookup) and 500 at once (what a run does:
// getMany with 32 in flight).
// The S3 rows add a new store's first lookup (the client's set-up and connection) and a bare HTTP
// round trip to the emulator (no SDK, no signature: what the loopback and the emulator cost alone).
//   node bench/result-cache.ts [rounds=5] [--lookups-only] [--json]
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand } from '@aws-sdk/client-s3'
import { type CacheEntry, LocalResultStore, type ResultStore } from '@testbed/core/config'
import { s3ResultStore } from '@testbed/s3/config'
import { s3Client } from '../packages/s3/src/client.ts'
import { runVitest } from './nested-vitest.ts'
import { args, finish, median, percentiles, report } from './stats.ts'

const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 5)
const lookupsOnly = args.includes('--lookups-only')
const SHARED = 20
const LOOKUP_KEYS = 500
const nodeModules = fileURLToPath(new URL('../node_modules', import.meta.url))
const emulatorCli = fileURLToPath(new URL('../packages/s3/dist/emulator/cli.js', import.meta.url))

interface Suite {
  name: string
  files: number
  /** The pipeline's Vitest options, as source. */
  pool: string
}
const SUITES: Suite[] = [
  { name: 'Vitest defaults (forks, isolate)', files: 150, pool: '{}' },
  { name: 'threads, isolate: false', files: 500, pool: "{ pool: 'threads', isolate: false }" },
]

// The suites, in a temp dir beside a link to this repository's node_modules.
const base = realpathSync(mkdtempSync(join(tmpdir(), 'bench-result-cache-')))
process.once('exit', () => rmSync(base, { recursive: true, force: true }))
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
symlinkSync(nodeModules, join(base, 'node_modules'))
writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n')

function writeSuite(suite: Suite, index: number): string {
  const root = join(base, `suite-${index}`)
  mkdirSync(join(root, 'src'), { recursive: true })
  mkdirSync(join(root, 'tests'))
  writeFileSync(
    join(root, 'vitest.config.ts'),
    `import { defineTestbed } from '@testbed/core/config'
import { defineConfig } from 'vitest/config'
const testbed = defineTestbed({
  services: [],
  include: ['tests/*.test.ts'],
  pipelines: { main: { test: ${suite.pool} } },
  resultCache: { store: process.env.BENCH_STORE },
})
export default defineConfig({ plugins: testbed.plugins, test: { projects: testbed.projects } })
`,
  )
  for (let m = 0; m < SHARED; m++)
    writeFileSync(join(root, 'src', `shared-${m}.ts`), `export const value${m} = ${m}\n`)
  for (let f = 0; f < suite.files; f++)
    writeFileSync(
      join(root, 'tests', `file-${f}.test.ts`),
      `import { expect, test } from 'vitest'
import { value${f % SHARED} as value } from '../src/shared-${f % SHARED}.ts'
test('file ${f}', () => {
  expect(value).toBe(${f % SHARED})
})
`,
    )
  return root
}

type Variant = 'off' | 'cold' | 'warm'
type Sample = { wall: number; cpu: number; lookup: number }
let stores = 0

async function measure(suite: Suite, root: string, variant: Variant): Promise<Sample> {
  const store = variant === 'warm' ? `${root}-warm-store` : join(base, `cold-store-${stores++}`)
  const run = await runVitest(root, ['--project', 'main'], {
    CI: '',
    BENCH_STORE: store,
    TESTBED_CACHE: variant === 'off' ? 'off' : 'readwrite',
  })
  const expected = variant === 'warm' ? `${suite.files} from cache, 0 run` : `${suite.files} passed`
  if (run.code !== 0 || !run.output.includes(expected))
    throw new Error(`${suite.name}: ${variant} run failed:\n${run.output.slice(-3000)}`)
  const lookup = Number(/looked up in (\d+) ms/.exec(run.output)?.[1] ?? Number.NaN)
  if (variant === 'cold') rmSync(store, { recursive: true, force: true })
  return { wall: run.ms, cpu: run.cpuMs, lookup }
}

const suites = lookupsOnly ? [] : SUITES
const roots = suites.map(writeSuite)
const samples = SUITES.map(() => ({ off: [], cold: [], warm: [] }) as Record<Variant, Sample[]>)
const ratios = SUITES.map(() => [] as Array<{ speedUp: number; speedUpCpu: number; overhead: number }>)
// Warm-up: Vite's transform cache, and each warm store filled once.
for (const [i, suite] of suites.entries()) {
  const root = roots[i] as string
  await runVitest(root, ['--project', 'main'], {
    CI: '',
    BENCH_STORE: `${root}-warm-store`,
    TESTBED_CACHE: 'readwrite',
  })
  await measure(suite, root, 'warm')
}
for (let round = 0; round < (lookupsOnly ? 0 : rounds); round++) {
  const order: Variant[] = round % 2 ? ['warm', 'cold', 'off'] : ['off', 'cold', 'warm']
  const suiteOrder = round % 2 ? [...SUITES.keys()].reverse() : [...SUITES.keys()]
  for (const i of suiteOrder) {
    const got: Partial<Record<Variant, Sample>> = {}
    for (const v of order) {
      got[v] = await measure(SUITES[i] as Suite, roots[i] as string, v)
      samples[i]?.[v].push(got[v])
    }
    const { off, cold, warm } = got as Record<Variant, Sample>
    const ratio = {
      speedUp: off.wall / warm.wall,
      speedUpCpu: off.cpu / warm.cpu,
      overhead: cold.wall / off.wall - 1,
    }
    ratios[i]?.push(ratio)
    console.log(
      `round ${round + 1}, ${SUITES[i]?.name}: off ${off.wall.toFixed(0)} ms (cpu ${off.cpu.toFixed(0)}), cold ${cold.wall.toFixed(0)} (${cold.cpu.toFixed(0)}), warm ${warm.wall.toFixed(0)} (${warm.cpu.toFixed(0)}); ${ratio.speedUp.toFixed(1)}x wall, ${ratio.speedUpCpu.toFixed(1)}x cpu, cold overhead ${(ratio.overhead * 100).toFixed(1)} %`,
    )
  }
}
for (const [i, suite] of suites.entries()) {
  const s = samples[i] as Record<Variant, Sample[]>
  const r = ratios[i] as Array<{ speedUp: number; speedUpCpu: number; overhead: number }>
  const of = (v: Variant, k: keyof Sample) => median(s[v].map((x) => x[k])).toFixed(0)
  const row = (run: string, v: Variant) => ({
    run,
    wall: of(v, 'wall'),
    cpu: of(v, 'cpu'),
    lookup: v === 'off' ? '' : of(v, 'lookup'),
  })
  report(`${suite.name}: ${suite.files} files, one pipeline (ms, median of ${rounds} alternating rounds)`, [
    row('no cache (TESTBED_CACHE=off)', 'off'),
    row('cold (empty store, all stored)', 'cold'),
    row('warm (every file a hit)', 'warm'),
  ])
  report(`${suite.name}: ratios (median per round, min–max)`, [
    {
      'speed-up no cache / warm (wall)': median(r.map((x) => x.speedUp)).toFixed(1),
      'wall min–max': `${Math.min(...r.map((x) => x.speedUp)).toFixed(1)}–${Math.max(...r.map((x) => x.speedUp)).toFixed(1)}`,
      'speed-up (cpu)': median(r.map((x) => x.speedUpCpu)).toFixed(1),
      'cold overhead (wall)': `${(median(r.map((x) => x.overhead)) * 100).toFixed(1)} %`,
      'cold overhead min–max': `${(Math.min(...r.map((x) => x.overhead)) * 100).toFixed(1)}–${(Math.max(...r.map((x) => x.overhead)) * 100).toFixed(1)} %`,
    },
  ])
}

// Lookup latency per file, against each store holding the suite's 500 entries.
const entry = (i: number): CacheEntry => ({
  digest: `${i}`.padStart(64, '0'),
  commit: 'bench',
  date: new Date().toISOString(),
  record: {
    version: 1,
    project: 'main',
    file: `tests/file-${i}.test.ts`,
    modules: { [`tests/file-${i}.test.ts`]: 'a'.repeat(64), [`src/shared-${i % SHARED}.ts`]: 'b'.repeat(64) },
    config: { 'vitest.config.ts': 'c'.repeat(64) },
    lockfile: 'd'.repeat(64),
    runtime: { vitest: '5', node: process.version, platform: process.platform, arch: process.arch },
    tagsFilter: [],
    strictness: { require: [], requireFromEnv: [], real: [] },
    env: {},
    services: {},
  },
})
const keys = Array.from({ length: LOOKUP_KEYS }, (_, i) => `${i}`.padStart(64, 'f'))

async function latency(store: ResultStore) {
  // 32 at a time, as a run's lookups go (500 at once would queue behind the SDK's 50 sockets).
  for (let i = 0; i < keys.length; i += 32)
    await Promise.all(keys.slice(i, i + 32).map((k, j) => store.put(k, entry(i + j))))
  const single: number[] = []
  for (const key of keys) {
    const t = performance.now()
    const got = await store.getMany([key])
    single.push(performance.now() - t)
    if (!got.has(key)) throw new Error(`${store.description}: ${key} not found`)
  }
  const batch: number[] = []
  for (let r = 0; r < 5; r++) {
    const t = performance.now()
    const got = await store.getMany(keys)
    batch.push((performance.now() - t) / keys.length)
    if (got.size !== keys.length) throw new Error(`${store.description}: ${got.size} of ${keys.length}`)
  }
  return { single: percentiles(single), batch: percentiles(batch) }
}

const local = await latency(new LocalResultStore(join(base, 'latency-store')))
const keysS3 = { accessKeyId: 'BENCHKEY', secretAccessKey: 'bench-secret' }
const emulator: ChildProcess = spawn(
  process.execPath,
  [emulatorCli, '--access-key-id', keysS3.accessKeyId, '--secret-access-key', keysS3.secretAccessKey],
  { stdio: ['ignore', 'pipe', 'inherit'] },
)
let s3Row: Awaited<ReturnType<typeof latency>>
let firstLookup: ReturnType<typeof percentiles>
let bareHttp: ReturnType<typeof percentiles>
try {
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = ''
    emulator.stdout?.on('data', (c) => {
      out += c
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1]) resolve(m[1])
    })
    emulator.once('exit', (code) => reject(new Error(`the S3 emulator exited (${code})`)))
  })
  const found = { endpoint, region: 'us-east-1', ...keysS3, credentialsSource: 'the bench' }
  const admin = s3Client(found)
  await admin.send(new CreateBucketCommand({ Bucket: 'ft-cache-e2e' }))
  admin.destroy()
  s3Row = await latency(s3ResultStore({ bucket: 'ft-cache-e2e', prefix: 'results/', endpoint: found }))
  // A new store's first lookup: what a run's first pipeline pays before its lookups go out.
  const first: number[] = []
  for (let i = 0; i < 20; i++) {
    const store = s3ResultStore({ bucket: 'ft-cache-e2e', prefix: 'results/', endpoint: found })
    const t = performance.now()
    await store.getMany([keys[i] as string])
    first.push(performance.now() - t)
  }
  firstLookup = percentiles(first)
  // The same path without the SDK: an unsigned GET the emulator refuses (403) after reading it.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const bare: number[] = []
  for (const key of keys) {
    const t = performance.now()
    await new Promise<void>((resolve, reject) => {
      const req = request(`${endpoint}/ft-cache-e2e/results/${key}.json`, { agent }, (res) => {
        res.resume()
        res.once('end', resolve)
      })
      req.once('error', reject)
      req.end()
    })
    bare.push(performance.now() - t)
  }
  agent.destroy()
  bareHttp = percentiles(bare)
} finally {
  emulator.kill()
  rmSync(base, { recursive: true, force: true })
}
report(`lookup time per file (ms), ${LOOKUP_KEYS} entries in the store`, [
  { store: 'local, one key at a time', ...local.single },
  { store: `local, ${LOOKUP_KEYS} keys at once (per key)`, ...local.batch },
  { store: 'S3 emulator (another process, loopback), one key at a time', ...s3Row.single },
  { store: `S3 emulator, ${LOOKUP_KEYS} keys at once, 32 in flight (per key)`, ...s3Row.batch },
  { store: "S3 emulator, a new store's first lookup (client set-up, connection)", ...firstLookup },
  { store: 'bare HTTP GET to the emulator, one at a time (no SDK, refused unsigned)', ...bareHttp },
])
finish('result-cache', { rounds })
