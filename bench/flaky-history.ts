// The flakiness history (docs/flakiness.md): reading the window a run's summary and `testbed flaky`
// read (the last 100 runs) and reporting it, from the S3 history (Testbed's emulator in another
// process, on loopback) and from the local file, in alternating rounds; then a prune of half the
// runs from each. Both stores hold the same runs of the same tests.
//   node bench/flaky-history.ts [rounds=15] [runs=300] [tests=200] [--json]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DEFAULT_FLAKY_OPTIONS,
  flakyReport,
  type HistoryStore,
  LocalHistoryStore,
  type TestOutcomeRecord,
} from '@testbed/core/config'
import { s3HistoryStore } from '@testbed/s3/config'
import { ensureBucket } from '../packages/s3/src/buckets.ts'
import { s3Client } from '../packages/s3/src/client.ts'
import { args, finish, percentiles, report } from './stats.ts'

const [rounds = 15, runs = 300, tests = 200] = args.filter((a) => /^\d+$/.test(a)).map(Number)
const emulatorCli = fileURLToPath(new URL('../packages/s3/dist/emulator/cli.js', import.meta.url))
const START = Date.UTC(2026, 10, 1)
const runAt = (i: number) => new Date(START + i * 600_000)

const emulator = spawn(
  process.execPath,
  [emulatorCli, '--access-key-id', 'BENCH', '--secret-access-key', 'bench'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const dir = mkdtempSync(join(tmpdir(), 'bench-flaky-history-'))
try {
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    emulator.stdout.on('data', (chunk) => {
      out += chunk
      const found = /listening on (http:\/\/\S+)/.exec(out)
      if (found) resolve(found[1] as string)
    })
    emulator.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)))
  })
  const endpoint = {
    endpoint: url,
    region: 'us-east-1',
    accessKeyId: 'BENCH',
    secretAccessKey: 'bench',
    credentialsSource: 'the bench',
  }
  const client = s3Client(endpoint)
  await ensureBucket(client, 'bench-history')
  client.destroy()
  const stores: Record<string, HistoryStore> = {
    s3: s3HistoryStore({ bucket: 'bench-history', prefix: 'results/', endpoint }),
    local: new LocalHistoryStore(join(dir, 'history.jsonl')),
  }
  for (let i = 0; i < runs; i++) {
    const records = Array.from(
      { length: tests },
      (_, t): TestOutcomeRecord => ({
        v: 1,
        run: `run-${i}`,
        at: runAt(i).toISOString(),
        commit: 'c0ffee',
        pipeline: 'main',
        file: `packages/x/test/f${t % 40}.test.ts`,
        test: `suite > test number ${t}`,
        outcome: t === 7 && i % 10 === 0 ? 'flaky' : 'passed',
        retries: 0,
        durationMs: 12,
      }),
    )
    for (const store of Object.values(stores)) await store.append(records)
  }

  const samples: Record<string, { wall: number[]; cpu: number[] }> = {
    s3: { wall: [], cpu: [] },
    local: { wall: [], cpu: [] },
  }
  const readWindow = async (name: string, keep: boolean) => {
    const cpu = process.cpuUsage()
    const started = performance.now()
    const history = await (stores[name] as HistoryStore).read({ runs: DEFAULT_FLAKY_OPTIONS.window })
    const window = flakyReport(history, DEFAULT_FLAKY_OPTIONS).window.runs
    const used = process.cpuUsage(cpu)
    if (window !== Math.min(runs, DEFAULT_FLAKY_OPTIONS.window))
      throw new Error(`${name}: a window of ${window} runs`)
    if (!keep) return
    samples[name]?.wall.push(performance.now() - started)
    samples[name]?.cpu.push((used.user + used.system) / 1000)
  }
  for (const name of Object.keys(stores)) await readWindow(name, false) // warm-up: connections, caches
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? ['local', 's3'] : ['s3', 'local']
    for (const name of order) await readWindow(name, true)
  }
  report(
    `The window of the last ${DEFAULT_FLAKY_OPTIONS.window} runs read and reported (${runs} runs of ${tests} tests stored; ${rounds} alternating rounds; ms)`,
    Object.entries(samples).map(([store, s]) => {
      const wall = percentiles(s.wall)
      const cpu = percentiles(s.cpu)
      return {
        store,
        'wall p50': wall.p50,
        'wall p95': wall.p95,
        'CPU p50 (reader)': cpu.p50,
        'CPU p95 (reader)': cpu.p95,
      }
    }),
  )
  const pruned = []
  for (const [store, history] of Object.entries(stores)) {
    const started = performance.now()
    const { removed, kept } = await history.prune(runAt(Math.floor(runs / 2)))
    pruned.push({
      store,
      removed: String(removed),
      kept: String(kept),
      ms: (performance.now() - started).toFixed(0),
    })
  }
  report('A prune of the older half', pruned)
  finish('flaky-history', { rounds })
} finally {
  emulator.kill()
  rmSync(dir, { recursive: true, force: true })
}
