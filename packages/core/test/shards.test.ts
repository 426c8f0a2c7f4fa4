import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type NestedRun, runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const suite = fixturePath('shards-suite')
const SHARDS = ['1/3', '2/3', '3/3']
/** Which service each of the fixture's files needs. */
const needs: Record<string, string> = {
  'echo.test.ts': 'echo',
  'second.test.ts': 'second',
  'offline.test.ts': 'offline',
}

/** Vitest's outcome of each test, by full name. */
const outcomes = (run: NestedRun) =>
  Object.fromEntries(
    run.tests.map((t): [string, string] => [t.fullName, t.status]).sort(([a], [b]) => a.localeCompare(b)),
  )

/** One section of Testbed's summary: its heading and the indented lines under it. */
function section(run: NestedRun, heading: string): string[] {
  const lines = run.stderr.split('\n')
  const start = lines.indexOf(` ${heading}`)
  if (start < 0) return []
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('   '))
  return lines.slice(start, end < 0 ? undefined : end)
}

/** The service table's rows, as service, provider and the start of the last column. */
const serviceRows = (run: NestedRun) =>
  section(run, 'Testbed services')
    .slice(2)
    .map((row) => row.trim().split(/\s{2,}/))

/** Vitest's default reporter lists each file it ran on stdout. */
const ranFile = (run: NestedRun, file: string) => run.stdout.includes(` ${file} `)

const summaryLines = (run: NestedRun) =>
  run.stderr.split('\n').filter((l) => /^ (Skipped without a reason|Not in the pipeline)/.test(l))

/** Runs the suite as three shards writing blob reports, then merges them. */
async function shardedRun(env: Record<string, string> = {}) {
  const work = scratchDir('shards')
  const blobs = join(work, 'blobs')
  const history = join(work, 'history.jsonl')
  const shards = await Promise.all(
    SHARDS.map((shard, i) =>
      runVitest({
        fixture: suite,
        args: [
          '--shard',
          shard,
          '--reporter=blob',
          `--outputFile.blob=${join(blobs, `blob-${i + 1}-3.json`)}`,
        ],
        env: { TESTBED_HISTORY: history },
      }),
    ),
  )
  const summary = join(work, 'step-summary.md')
  const merged = await runVitest({
    fixture: suite,
    args: ['--merge-reports', blobs],
    env: { TESTBED_HISTORY: history, GITHUB_STEP_SUMMARY: summary, ...env },
  })
  return { shards, merged, summary: readFileSync(summary, 'utf8'), history, blobs }
}

describe('sharded pipelines with one summary', { tags: ['tier3'] }, () => {
  test('3 shards merged give the counts, outcomes and Testbed summary of one unsharded run', async () => {
    const work = scratchDir('unsharded')
    const [whole, sharded] = await Promise.all([
      runVitest({ fixture: suite, env: { TESTBED_HISTORY: join(work, 'history.jsonl') } }),
      shardedRun(),
    ])
    const { merged } = sharded
    expect(Object.keys(outcomes(whole))).toHaveLength(8)
    expect(outcomes(merged)).toEqual(outcomes(whole))
    expect(merged.code).toBe(whole.code)
    expect(merged.code).toBe(1) // the fixture's one real failure
    // Sorted: lines follow the order files finished in, which parallel files do not fix.
    for (const heading of ['Skipped, with reasons', 'Flaky (passed on a retry)', 'Outcome by service'])
      expect(section(merged, heading).sort(), heading).toEqual(section(whole, heading).sort())
    expect(section(merged, 'Outcome by service').sort()).toEqual([
      '   - offline tests: complete skip (0 passed, 0 failed, 1 skipped)',
      '   ✅ echo tests: success (2 passed, 0 failed, 0 skipped)',
      '   ✅ second tests: success (1 passed, 0 failed, 0 skipped)',
      ' Outcome by service',
    ])
    expect(summaryLines(merged)).toEqual(summaryLines(whole))
    // The same services, providers and outcomes; the merged table names each row's shard.
    const unshardedRows = serviceRows(whole).map(([name, provider]) => [name, provider])
    expect(
      serviceRows(merged)
        .map(([name, provider]) => [name, provider])
        .sort(),
    ).toEqual(unshardedRows.sort())
    const offline = serviceRows(merged).find(([name]) => name === 'offline')
    const offlineShard = sharded.shards.findIndex((s) => s.tests.some((t) => t.fullName.includes('offline')))
    expect(offline?.[3]).toBe(
      `shard ${SHARDS[offlineShard]}: offline unavailable: plugin: no offline server in this fixture`,
    )
    for (const [name] of serviceRows(merged).filter(([, provider]) => provider === 'embedded'))
      expect(serviceRows(merged).find(([n]) => n === name)?.[3]).toMatch(/\(shard \d\/3\)$/)
    // The step summary: one table, naming the shard where offline was not had.
    expect(sharded.summary).toContain(
      `| offline | — | — | shard ${SHARDS[offlineShard]}: offline unavailable: plugin: no offline server in this fixture |`,
    )
    expect(sharded.summary).toMatch(/- \*\*offline\*\*: complete skip \(0 passed, 0 failed, 1 skipped\)/)
  })

  test('each shard starts only the services its own files need', async () => {
    const { shards, blobs } = await shardedRun()
    expect(readdirSync(blobs).sort()).toEqual(['blob-1-3.json', 'blob-2-3.json', 'blob-3-3.json'])
    const filesRun = new Set<string>()
    for (const shard of shards) {
      // One file per shard: Vitest shards by file.
      const files = Object.keys(needs).filter((file) => ranFile(shard, file))
      expect(files).toHaveLength(1)
      const file = files[0] ?? ''
      filesRun.add(file)
      const service = needs[file]
      // Started: the echo fixture logs every start of a server; offline has no server to start.
      expect(shard.starts.map((s) => s.service)).toEqual(service === 'offline' ? [] : [service])
      // Asked for: the table lists only what its file needed, ready or not.
      expect(serviceRows(shard).map(([name]) => name)).toEqual([service])
    }
    expect([...filesRun].sort()).toEqual(Object.keys(needs).sort())
  })

  test('a sharded run is one run of the history: the merge records it with each test shard', async () => {
    const { history, shards } = await shardedRun()
    const records = readFileSync(history, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { run: string; shard?: string; file: string; outcome: string })
    expect(new Set(records.map((r) => r.run)).size).toBe(1)
    for (const record of records) {
      const shard = shards.findIndex((s) => ranFile(s, record.file))
      expect(record.shard, record.file).toBe(SHARDS[shard])
    }
    expect(records.map((r) => r.outcome).sort()).toEqual([
      'failed',
      'flaky',
      'passed',
      'passed',
      'passed',
      'passed',
      'skipped',
    ])
  })
})
