// The flakiness history in S3 (s3HistoryStore), beside the result cache's entries: the store against
// Testbed's S3 emulator (one object a run, pages, windows, pruning, damage, an unreachable S3), then
// nested runs of a fixture suite and the real `testbed flaky` against an emulator in another process,
// reached through the variables the env provider reads.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import type { HistoryStore, TestOutcomeRecord } from '@testbed/core/config'
import { runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { ensureBucket } from '../src/buckets.ts'
import { s3Client } from '../src/client.ts'
import type { S3Found } from '../src/connection.ts'
import { type S3Emulator, startS3Emulator } from '../src/emulator/index.ts'
import { s3HistoryStore } from '../src/history-store.ts'
import { s3ResultStore } from '../src/result-cache-store.ts'
import { type OutsideEmulator, outsideEmulator } from './outside-emulator.ts'

const fixture = fileURLToPath(new URL('./fixtures/history-s3', import.meta.url))
const cli = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url))
const nodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url))
const KEYS = { accessKeyId: 'HISTORYKEY', secretAccessKey: 'history-secret' }
const NESTED_RUNS = { timeout: 240_000 }

/** One run's records: `tests` each with an outcome, at `at`. */
function runRecords(run: string, at: string, tests: Record<string, TestOutcomeRecord['outcome']>) {
  return Object.entries(tests).map(
    ([test, outcome]): TestOutcomeRecord => ({
      v: 1,
      run,
      at,
      commit: 'c0ffee',
      pipeline: 'main',
      file: 'test/a.test.ts',
      test,
      outcome,
      retries: outcome === 'flaky' ? 1 : 0,
      durationMs: 3,
    }),
  )
}

async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  return (page.Contents ?? []).map((o) => o.Key as string)
}

describe('s3HistoryStore', { tags: ['tier2'] }, () => {
  let emulator: S3Emulator
  let found: S3Found
  let s3: S3Client
  let bucket: string
  let n = 0
  beforeAll(async () => {
    emulator = await startS3Emulator({ credentials: [KEYS] })
    found = { endpoint: emulator.url, region: 'us-east-1', ...KEYS, credentialsSource: 'the test' }
    s3 = s3Client(found)
  })
  afterAll(async () => {
    s3?.destroy()
    await emulator?.close()
  })
  beforeEach(async () => {
    bucket = `history-${++n}`
    await ensureBucket(s3, bucket)
  })
  const store = (options: { pageSize?: number } = {}): HistoryStore =>
    s3HistoryStore({ bucket, prefix: 'results/', endpoint: found, ...options })

  test('one object per run under <prefix>history/<day>/, read back in time order across pages', async () => {
    const history = store({ pageSize: 2 })
    // Appended out of order, as runs on several machines finish: the keys order them by time.
    await history.append(runRecords('r3', '2026-12-01T10:03:00.000Z', { t: 'passed' }))
    await history.append(runRecords('r1', '2026-11-30T23:59:59.999Z', { t: 'flaky' }))
    await history.append(runRecords('r2', '2026-12-01T10:02:00.000Z', { t: 'failed', u: 'passed' }))
    await history.append(runRecords('r4', '2026-12-02T00:00:00.000Z', { t: 'skipped' }))
    await history.append(runRecords('r5', '2026-12-02T08:00:00.000Z', { t: 'passed' }))
    expect(await keysUnder(s3, bucket, 'results/')).toEqual([
      'results/history/2026-11-30/235959.999Z-r1.jsonl',
      'results/history/2026-12-01/100200.000Z-r2.jsonl',
      'results/history/2026-12-01/100300.000Z-r3.jsonl',
      'results/history/2026-12-02/000000.000Z-r4.jsonl',
      'results/history/2026-12-02/080000.000Z-r5.jsonl',
    ])
    expect(history.location).toBe(`s3://${bucket}/results/history/`)
    // Five runs, two keys a page: three pages.
    const all = await history.read()
    expect(all.map((r) => `${r.run}:${r.test}`)).toEqual(['r1:t', 'r2:t', 'r2:u', 'r3:t', 'r4:t', 'r5:t'])
    expect(all[2]).toEqual(runRecords('r2', '2026-12-01T10:02:00.000Z', { t: 'failed', u: 'passed' })[1])
    // The last two runs; the runs since 10:02:30 on 1 December.
    expect([...new Set((await history.read({ runs: 2 })).map((r) => r.run))]).toEqual(['r4', 'r5'])
    const since = await history.read({ since: new Date('2026-12-01T10:02:30Z') })
    expect([...new Set(since.map((r) => r.run))]).toEqual(['r3', 'r4', 'r5'])
    expect(await history.read({ since: new Date('2026-12-03T00:00:00Z') })).toEqual([])
  })

  test("s3ResultStore keeps its history beside its entries, through the store's own client", async () => {
    const results = s3ResultStore({ bucket, prefix: 'results/', endpoint: found })
    expect(results.history?.location).toBe(`s3://${bucket}/results/history/`)
    await results.history?.append(runRecords('r1', '2026-12-01T10:00:00.000Z', { t: 'passed' }))
    expect(await keysUnder(s3, bucket, 'results/history/')).toEqual([
      'results/history/2026-12-01/100000.000Z-r1.jsonl',
    ])
  })

  test('a prune removes only the runs that ended before the date; the others, and a run appended meanwhile, stay', async () => {
    const history = store({ pageSize: 1 })
    await history.append(runRecords('old1', '2026-10-01T10:00:00.000Z', { t: 'passed' }))
    await history.append(runRecords('old2', '2026-10-31T23:59:59.999Z', { t: 'passed' }))
    await history.append(runRecords('new1', '2026-11-01T00:00:00.000Z', { t: 'passed' }))
    const [pruned] = await Promise.all([
      history.prune(new Date('2026-11-01T00:00:00Z')),
      history.append(runRecords('new2', '2026-12-01T00:00:00.000Z', { t: 'flaky' })),
    ])
    expect(pruned.removed).toBe(2)
    expect([...new Set((await history.read()).map((r) => r.run))]).toEqual(['new1', 'new2'])
    // The cache's entries beside the history are not touched.
    expect(await history.prune(new Date('2026-11-01T00:00:00Z'))).toEqual({ removed: 0, kept: 2 })
  })

  test('an object that is not JSON Lines of records is damage, named by its key and line', async () => {
    const history = store()
    await history.append(runRecords('r1', '2026-12-01T10:00:00.000Z', { t: 'passed' }))
    const key = 'results/history/2026-12-01/110000.000Z-torn.jsonl'
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${JSON.stringify({ v: 1 })}\n{"v":1,"ru` }),
    )
    await expect(history.read()).rejects.toThrow(`s3://${bucket}/${key} line 1: not a test outcome record`)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'not json\n' }))
    await expect(history.read()).rejects.toThrow(`s3://${bucket}/${key} line 1: not a JSON line`)
    // A run's record version this reader does not know is skipped, not an error.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"v":2,"future":true}\n' }))
    expect((await history.read()).map((r) => r.run)).toEqual(['r1'])
  })

  test('a bucket that is not there, and an S3 that is gone: the error names it', async () => {
    const missing = s3HistoryStore({ bucket: 'no-such-history', endpoint: found })
    await expect(missing.read()).rejects.toThrow(/bucket/i)
    const gone = await startS3Emulator({ credentials: [KEYS] })
    const url = gone.url
    await gone.close()
    const unreachable = s3HistoryStore({ bucket, endpoint: { ...found, endpoint: url } })
    await expect(unreachable.read()).rejects.toThrow(`(S3 at ${url})`)
    await expect(
      unreachable.append(runRecords('r1', '2026-12-01T10:00:00.000Z', { t: 'passed' })),
    ).rejects.toThrow(/ECONNREFUSED/)
  })
})

interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** The real `testbed` bin, in `cwd`, with only `env`'s S3 and Testbed variables. */
function testbed(args: string[], cwd: string, env: Record<string, string>): Promise<Finished> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST|TESTBED_|AWS_|S3_|FIXTURE_|CI$)/.test(k)),
  )
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...clean, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => {
    stdout += c
  })
  child.stderr.on('data', (c) => {
    stderr += c
  })
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}

describe('the history of nested runs in an S3 in another process', { tags: ['tier2'] }, () => {
  let outside: OutsideEmulator
  let env: Record<string, string>
  let s3: S3Client
  const bucket = 'ft-cache-e2e'
  beforeEach(async () => {
    outside = await outsideEmulator()
    env = { ...outside.env, FIXTURE_BUCKET: bucket, CI: '' }
    s3 = s3Client(outsideEndpoint())
    await ensureBucket(s3, bucket)
    return () => s3.destroy()
  })

  /** The emulator in the other process, as the test's own client reaches it. */
  const outsideEndpoint = () => ({
    endpoint: outside.endpoint,
    region: 'us-east-1',
    accessKeyId: outside.env.AWS_ACCESS_KEY_ID as string,
    secretAccessKey: outside.env.AWS_SECRET_ACCESS_KEY as string,
    credentialsSource: 'the test',
  })

  /** A copy of the fixture (its node_modules: this repository's), so a local history lands in a scratch dir. */
  function copyOfFixture(): string {
    const dir = scratchDir('history-s3')
    cpSync(fixture, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|\.testbed)$/.test(src) })
    symlinkSync(nodeModules, join(dir, 'node_modules'))
    return dir
  }

  test(
    'two runs append to the shared history; testbed flaky reads it from the config and counts both, a pass on a retry flaky, hits and skips not at all',
    NESTED_RUNS,
    async () => {
      const dir = copyOfFixture()
      const run = () =>
        runVitest({ fixture: dir, env: { ...env, TESTBED_CACHE: 'readwrite' }, timeoutMs: 120_000 })
      const first = await run()
      const second = await run()
      for (const r of [first, second]) {
        expect(r.code).toBe(0)
        expect(r.status('passes on its retry')).toBe('passed')
      }
      // The second run took the steady file from the cache: a skip with the reason, never a run.
      expect(second.stderr).toContain('1 from cache')
      const objects = await keysUnder(s3, bucket, 'results/history/')
      expect(objects).toHaveLength(2)
      for (const key of objects)
        expect(key).toMatch(/^results\/history\/\d{4}-\d{2}-\d{2}\/\d{6}\.\d{3}Z-[0-9a-f-]{36}\.jsonl$/)
      expect(second.stderr).toContain(
        ` Flakiness (last 2 runs, s3://${bucket}/results/history/): 2 of 3 test runs flaky`,
      )
      // Nothing local: the shared history is this run's.
      expect(existsSync(join(dir, '.testbed', 'history.jsonl'))).toBe(false)

      const report = await testbed(['flaky', '--json', '--min-runs', '1'], dir, outside.env)
      expect(report.stderr).toBe('')
      expect(report.code).toBe(0)
      const json = JSON.parse(report.stdout)
      expect(json.window.runs).toBe(2)
      expect(
        json.tests.map((t: { test: string; runs: number; flaky: number; passedOnRetry: number }) => [
          t.test,
          t.runs,
          t.flaky,
          t.passedOnRetry,
        ]),
      ).toEqual([
        ['passes on its retry', 2, 2, 2],
        ['always passes', 1, 0, 0],
      ])
      expect(json.suite).toMatchObject({ testRuns: 3, flaky: 2, flakyRuns: 2 })
      // The same store named on the command line, from anywhere.
      const named = await testbed(
        ['flaky', '--store', `s3://${bucket}/results`, '--min-runs', '1'],
        scratchDir('elsewhere'),
        outside.env,
      )
      expect(named.code).toBe(0)
      expect(named.stdout).toContain(`Flakiness over the last 2 runs of s3://${bucket}/results/history/`)
      expect(named.stdout).toContain(
        '⚠ [main] tests/retried.test.ts > passes on its retry: 2 of 2 runs flaky',
      )
    },
  )

  test(
    'a sharded run: the shards record nothing, their merge puts one object with each test and its shard',
    NESTED_RUNS,
    async () => {
      const dir = copyOfFixture()
      const blobs = join(scratchDir('history-blobs'), 'blobs')
      const shardEnv = { ...env, TESTBED_CACHE: 'readwrite' }
      for (const shard of ['1/2', '2/2']) {
        const run = await runVitest({
          fixture: dir,
          args: [
            '--shard',
            shard,
            '--reporter=blob',
            `--outputFile.blob=${join(blobs, `blob-${shard.replace('/', '-')}.json`)}`,
          ],
          env: shardEnv,
          timeoutMs: 120_000,
        })
        expect(run.code).toBe(0)
      }
      expect(await keysUnder(s3, bucket, 'results/history/')).toEqual([])
      const merged = await runVitest({
        fixture: dir,
        args: ['--merge-reports', blobs],
        env: shardEnv,
        timeoutMs: 120_000,
      })
      expect(merged.code).toBe(0)
      const keys = await keysUnder(s3, bucket, 'results/history/')
      expect(keys).toHaveLength(1)
      const records = await s3HistoryStore({
        bucket,
        prefix: 'results/',
        endpoint: outsideEndpoint(),
      }).read()
      expect(new Set(records.map((r) => r.run)).size).toBe(1)
      expect(new Set(records.map((r) => r.shard))).toEqual(new Set(['1/2', '2/2']))
      expect(records.map((r) => [r.test, r.outcome]).sort()).toEqual([
        ['a cache hit', 'skipped'],
        ['always passes', 'passed'],
        ['needs the offline service', 'skipped'],
        ['passes on its retry', 'flaky'],
      ])
    },
  )

  test(
    'a read-only run (TESTBED_CACHE=read) does not write the shared history: its outcomes go to the local file',
    NESTED_RUNS,
    async () => {
      const dir = copyOfFixture()
      const trusted = await runVitest({
        fixture: dir,
        env: { ...env, TESTBED_CACHE: 'readwrite' },
        timeoutMs: 120_000,
      })
      expect(trusted.code).toBe(0)
      const untrusted = await runVitest({
        fixture: dir,
        env: { ...env, TESTBED_CACHE: 'read' },
        timeoutMs: 120_000,
      })
      expect(untrusted.code).toBe(0)
      expect(await keysUnder(s3, bucket, 'results/history/')).toHaveLength(1)
      const local = join(dir, '.testbed', 'history.jsonl')
      const lines = readFileSync(local, 'utf8').trim().split('\n')
      expect(new Set(lines.map((l) => JSON.parse(l).run)).size).toBe(1)
      // Its summary: the shared window and its own run, said so.
      expect(untrusted.stderr).toContain(` Flakiness (last 2 runs, s3://${bucket}/results/history/)`)
      expect(untrusted.stderr).toContain(
        `(s3://${bucket}/results/history/ is read only: this run may not write the result cache, so its outcomes went to ${local} and count here only)`,
      )
      // TESTBED_HISTORY names a file: it is used, whatever the store.
      const moved = join(dir, 'moved.jsonl')
      const pinned = await runVitest({
        fixture: dir,
        env: { ...env, TESTBED_CACHE: 'readwrite', TESTBED_HISTORY: moved },
        timeoutMs: 120_000,
      })
      expect(pinned.code).toBe(0)
      expect(existsSync(moved)).toBe(true)
      expect(await keysUnder(s3, bucket, 'results/history/')).toHaveLength(1)
    },
  )

  test(
    'an unreachable store: the run is green with a warning naming it and keeps its outcomes in the local file; testbed flaky fails naming the store',
    NESTED_RUNS,
    async () => {
      const dir = copyOfFixture()
      outside.child.kill()
      await new Promise((resolve) => outside.child.once('exit', resolve))
      const run = await runVitest({
        fixture: dir,
        env: { ...env, TESTBED_CACHE: 'readwrite' },
        timeoutMs: 120_000,
      })
      expect(run.code).toBe(0)
      expect(run.status('passes on its retry')).toBe('passed')
      // The checkout's file keeps the run, and the summary is of that file.
      const local = join(dir, '.testbed', 'history.jsonl')
      expect(run.stderr).toMatch(
        new RegExp(
          ` ⚠ Flakiness: this run's outcomes could not be appended to s3://${bucket}/results/history/ \\(.*ECONNREFUSED.*\\), so they went to ${local}; the tests' results stand`,
        ),
      )
      expect(run.stderr).toContain(` Flakiness (last 1 run, ${local}): 1 of 2 test runs flaky`)
      expect(readFileSync(local, 'utf8').trim().split('\n').length).toBeGreaterThan(0)
      const report = await testbed(['flaky'], dir, outside.env)
      expect(report.code).toBe(1)
      expect(report.stdout).toBe('')
      expect(report.stderr).toMatch(
        new RegExp(
          `^testbed: the history at s3://${bucket}/results/history/ could not be read: .*ECONNREFUSED.*\\n$`,
        ),
      )
    },
  )

  test(
    'testbed flaky: a prune of the shared history, a damaged object, an empty window',
    NESTED_RUNS,
    async () => {
      const history = s3HistoryStore({
        bucket,
        prefix: 'results/',
        endpoint: outsideEndpoint(),
      })
      await history.append(runRecords('old', '2026-10-01T10:00:00.000Z', { t: 'passed' }))
      await history.append(runRecords('new', '2026-11-02T10:00:00.000Z', { t: 'passed' }))
      const dir = copyOfFixture()
      const pruned = await testbed(['flaky', '--prune-before', '2026-11-01'], dir, outside.env)
      expect(pruned.stderr).toBe('')
      expect(pruned.stdout).toBe(
        `Pruned s3://${bucket}/results/history/: 1 runs that ended before 2026-11-01T00:00:00.000Z removed, 1 kept\n`,
      )
      expect(await keysUnder(s3, bucket, 'results/history/')).toEqual([
        'results/history/2026-11-02/100000.000Z-new.jsonl',
      ])
      const bad = async (args: string[]) => {
        const r = await testbed(args, dir, outside.env)
        expect(r.stdout).toBe('')
        return [r.code, r.stderr.trimEnd()]
      }
      // Malformed options are packages/cli/test/flaky.test.ts's; here, what only a shared history can be.
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'results/history/2026-11-03/100000.000Z-bad.jsonl',
          Body: '{"v":1,"run":"bad"}\n',
        }),
      )
      expect(await bad(['flaky'])).toEqual([
        1,
        `testbed: the history is damaged: s3://${bucket}/results/history/2026-11-03/100000.000Z-bad.jsonl line 1: not a test outcome record`,
      ])
      // A window of days with no run in it.
      expect(await bad(['flaky', '--days', '1'])).toEqual([
        1,
        `testbed: no runs in the last 1 days at s3://${bucket}/results/history/`,
      ])
    },
  )
})
