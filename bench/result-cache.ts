// The result cache (docs/result-cache.md) on a generated suite of 500 test files (each imports one of
// 20 shared modules): in alternating rounds, a run without the cache (TESTBED_CACHE=off), a cold run
// with it (an empty store: every file runs and is stored) and a warm run (every file a hit); wall
// and CPU time of each (medians, and the median per-round ratios: cold/warm speed-up and the
// cache's overhead on a cold run). Then the lookup time per file, p50/p95, against the local store
// and against Testbed's S3 emulator in another process on loopback: one key at a time (the
// latency of a single lookup) and 500 at once (what a run does: getMany with 32 in flight).
//   node bench/result-cache.ts [rounds=5] [--json]
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand } from '@aws-sdk/client-s3'
import { type CacheEntry, LocalResultStore, type ResultStore } from '@testbed/core/config'
import { s3ResultStore } from '@testbed/s3/config'
import { s3Client } from '../packages/s3/src/client.ts'
import { runVitest } from './nested-vitest.ts'
import { args, finish, median, percentiles, report } from './stats.ts'

const rounds = Number(args[0] ?? 5)
const FILES = 500
const SHARED = 20
const nodeModules = fileURLToPath(new URL('../node_modules', import.meta.url))
const emulatorCli = fileURLToPath(new URL('../packages/s3/dist/emulator/cli.js', import.meta.url))

// The suite, in a temp dir beside a link to this repository's node_modules.
const base = realpathSync(mkdtempSync(join(tmpdir(), 'bench-result-cache-')))
process.once('exit', () => rmSync(base, { recursive: true, force: true }))
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
const root = join(base, 'suite')
mkdirSync(join(root, 'src'), { recursive: true })
mkdirSync(join(root, 'tests'))
symlinkSync(nodeModules, join(base, 'node_modules'))
writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n')
writeFileSync(
  join(root, 'vitest.config.ts'),
  `import { defineTestbed } from '@testbed/core/config'
import { defineConfig } from 'vitest/config'
const testbed = defineTestbed({
  services: [],
  include: ['tests/*.test.ts'],
  // Threads, one module graph per worker: Vitest's cheapest per-file cost, so the cache's own
  // cost shows (with forks and isolation each file costs a process, 500 of them minutes here).
  pipelines: { main: { test: { pool: 'threads', isolate: false } } },
  resultCache: { store: process.env.BENCH_STORE },
})
export default defineConfig({ plugins: testbed.plugins, test: { projects: testbed.projects } })
`,
)
for (let m = 0; m < SHARED; m++)
  writeFileSync(join(root, 'src', `shared-${m}.ts`), `export const value${m} = ${m}\n`)
for (let f = 0; f < FILES; f++)
  writeFileSync(
    join(root, 'tests', `file-${f}.test.ts`),
    `import { expect, test } from 'vitest'
import { value${f % SHARED} as value } from '../src/shared-${f % SHARED}.ts'
test('file ${f}', () => {
  expect(value).toBe(${f % SHARED})
})
`,
  )

type Variant = 'off' | 'cold' | 'warm'
const warmStore = join(base, 'warm-store')
let coldStores = 0

async function measure(variant: Variant) {
  const store = variant === 'warm' ? warmStore : join(base, `cold-store-${coldStores++}`)
  const run = await runVitest(root, ['--project', 'main'], {
    CI: '',
    BENCH_STORE: store,
    TESTBED_CACHE: variant === 'off' ? 'off' : 'readwrite',
  })
  const expected = variant === 'warm' ? `${FILES} from cache, 0 run` : `${FILES} passed`
  if (run.code !== 0 || !run.output.includes(expected))
    throw new Error(`${variant} run failed:\n${run.output.slice(-3000)}`)
  const lookup = Number(/looked up in (\d+) ms/.exec(run.output)?.[1] ?? Number.NaN)
  if (variant === 'cold') rmSync(store, { recursive: true, force: true })
  return { wall: run.ms, cpu: run.cpuMs, lookup }
}

const samples: Record<Variant, Array<Awaited<ReturnType<typeof measure>>>> = { off: [], cold: [], warm: [] }
const ratios: Array<{ speedUp: number; speedUpCpu: number; overhead: number }> = []
// Warm-up: Vite's transform cache, and the warm store filled once.
await runVitest(root, ['--project', 'main'], { CI: '', BENCH_STORE: warmStore, TESTBED_CACHE: 'readwrite' })
await measure('warm')
for (let round = 0; round < rounds; round++) {
  const order: Variant[] = round % 2 ? ['warm', 'cold', 'off'] : ['off', 'cold', 'warm']
  const got: Partial<Record<Variant, Awaited<ReturnType<typeof measure>>>> = {}
  for (const v of order) {
    got[v] = await measure(v)
    samples[v].push(got[v])
  }
  const { off, cold, warm } = got as Record<Variant, Awaited<ReturnType<typeof measure>>>
  ratios.push({
    speedUp: off.wall / warm.wall,
    speedUpCpu: off.cpu / warm.cpu,
    overhead: cold.wall / off.wall - 1,
  })
}
const of = (v: Variant, k: 'wall' | 'cpu' | 'lookup') => median(samples[v].map((s) => s[k])).toFixed(0)
report(`${FILES}-file suite, one pipeline (ms, median of ${rounds} alternating rounds)`, [
  { run: 'no cache (TESTBED_CACHE=off)', wall: of('off', 'wall'), cpu: of('off', 'cpu'), lookup: '' },
  {
    run: 'cold (empty store, all stored)',
    wall: of('cold', 'wall'),
    cpu: of('cold', 'cpu'),
    lookup: of('cold', 'lookup'),
  },
  {
    run: 'warm (every file a hit)',
    wall: of('warm', 'wall'),
    cpu: of('warm', 'cpu'),
    lookup: of('warm', 'lookup'),
  },
])
report('ratios (median per round)', [
  {
    'speed-up no cache / warm (wall)': median(ratios.map((r) => r.speedUp)).toFixed(1),
    'speed-up (cpu)': median(ratios.map((r) => r.speedUpCpu)).toFixed(1),
    'cold overhead (wall)': `${(median(ratios.map((r) => r.overhead)) * 100).toFixed(1)} %`,
  },
])

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
const keys = Array.from({ length: FILES }, (_, i) => `${i}`.padStart(64, 'f'))

async function latency(store: ResultStore) {
  await Promise.all(keys.map((k, i) => store.put(k, entry(i))))
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
} finally {
  emulator.kill()
  rmSync(base, { recursive: true, force: true })
}
report(`lookup time per file (ms), ${FILES} entries in the store`, [
  { store: 'local, one key at a time', ...local.single },
  { store: `local, ${FILES} keys at once (per key)`, ...local.batch },
  { store: 'S3 emulator (another process, loopback), one key at a time', ...s3Row.single },
  { store: `S3 emulator, ${FILES} keys at once, 32 in flight (per key)`, ...s3Row.batch },
])
finish('result-cache', { rounds })
