// The local history's prune and lock: a prune drops only whole old runs, and runs appending in other
// processes while prunes rewrite the file lose nothing (they hold the same lock); a lock left by a dead
// process is broken, one held by a live one is waited for and then named.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import type { TestOutcomeRecord } from '../src/node/flakiness/history-record.ts'
import { LocalHistoryStore } from '../src/node/flakiness/history-store.ts'

const storeModule = fileURLToPath(new URL('../dist/node/flakiness/history-store.js', import.meta.url))

const record = (run: string, at: string, test = 't'): TestOutcomeRecord => ({
  v: 1,
  run,
  at,
  commit: 'c0ffee',
  pipeline: 'main',
  file: 'a.test.ts',
  test,
  outcome: 'passed',
  retries: 0,
  durationMs: 1,
})

const runsOf = (records: readonly TestOutcomeRecord[]) => [...new Set(records.map((r) => r.run))]

describe('the local history', { tags: ['tier2'] }, () => {
  test('a prune removes the whole runs that ended before the date, keeps the rest and lines of later versions', async () => {
    const file = join(scratchDir('history-prune'), 'history.jsonl')
    const history = new LocalHistoryStore(file)
    await history.append([
      record('old', '2026-10-31T23:59:59.999Z'),
      record('old', '2026-10-31T23:59:59.999Z', 'u'),
    ])
    await history.append([record('new', '2026-11-01T00:00:00.000Z')])
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"v":2,"future":true}\n`)
    await history.append([record('newer', '2026-11-02T00:00:00.000Z')])
    expect(await history.prune(new Date('2026-11-01T00:00:00Z'))).toEqual({ removed: 1, kept: 3 })
    expect(runsOf(await history.read())).toEqual(['new', 'newer'])
    expect(readFileSync(file, 'utf8')).toContain('{"v":2,"future":true}')
    // A temp file left by a prune that was killed (Ctrl-C) is removed by the next one.
    writeFileSync(`${file}.0b3c8a9e-dead-4bad-8eed-123456789abc.tmp`, 'half a rewrite')
    expect(await history.prune(new Date('2026-11-01T00:00:00Z'))).toEqual({ removed: 0, kept: 3 })
    // Nothing left beside it: no lock, no temp file.
    expect(readdirSync(dirname(file))).toEqual(['history.jsonl'])
    expect(existsSync(`${file}.lock`)).toBe(false)
    expect(
      await new LocalHistoryStore(join(scratchDir('none'), 'no-dir', 'h.jsonl')).prune(new Date()),
    ).toEqual({
      removed: 0,
      kept: 0,
    })
  })

  test('a line cut short by a killed run is skipped on reading and cut before the next append; damage stops a prune', async () => {
    const file = join(scratchDir('history-torn'), 'history.jsonl')
    const history = new LocalHistoryStore(file)
    await history.append([record('r1', '2026-11-01T00:00:00.000Z')])
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"v":1,"run":"r2","at":"2026-11`)
    expect(runsOf(await history.read())).toEqual(['r1'])
    await history.append([record('r3', '2026-11-03T00:00:00.000Z')])
    expect(runsOf(await history.read())).toEqual(['r1', 'r3'])
    writeFileSync(file, `not json\n${readFileSync(file, 'utf8')}`)
    await expect(history.prune(new Date('2026-11-02T00:00:00Z'))).rejects.toThrow(
      `${file} line 1: not a JSON line`,
    )
    expect(readFileSync(file, 'utf8').startsWith('not json\n')).toBe(true)
  })

  test('runs appending from four processes while two others prune again and again lose no line', {
    timeout: 120_000,
  }, async () => {
    const file = join(scratchDir('history-race'), 'history.jsonl')
    const history = new LocalHistoryStore(file)
    // Old runs for the prunes to remove; the appenders' runs are all newer than the prunes' date.
    await history.append(
      Array.from({ length: 200 }, (_, i) => record(`old-${i}`, '2026-01-01T00:00:00.000Z')),
    )
    const appender = (id: number) => `
      const { LocalHistoryStore } = await import(${JSON.stringify(storeModule)})
      const history = new LocalHistoryStore(${JSON.stringify(file)})
      for (let i = 0; i < 40; i++)
        await history.append([0, 1, 2].map((t) => ({ v: 1, run: 'p${id}-' + i, at: new Date().toISOString(), commit: null, pipeline: 'main', file: 'a.test.ts', test: 't' + t, outcome: 'passed', retries: 0, durationMs: 1 })))`
    const pruner = `
      const { LocalHistoryStore } = await import(${JSON.stringify(storeModule)})
      const history = new LocalHistoryStore(${JSON.stringify(file)})
      for (let i = 0; i < 40; i++) await history.prune(new Date('2026-06-01T00:00:00Z'))`
    const children = [...[1, 2, 3, 4].map(appender), pruner, pruner].map((script) =>
      spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    )
    const codes = await Promise.all(children.map(async (c) => (await once(c, 'exit'))[0]))
    expect(codes).toEqual([0, 0, 0, 0, 0, 0])
    const records = await history.read()
    expect(records.filter((r) => r.run.startsWith('old-'))).toEqual([])
    expect(records).toHaveLength(4 * 40 * 3)
    expect(new Set(runsOf(records)).size).toBe(160)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  test("a lock left by a process that is gone is broken; a live one's is waited for, then named", async () => {
    const file = join(scratchDir('history-lock'), 'history.jsonl')
    const history = new LocalHistoryStore(file)
    const dead = spawn(process.execPath, ['-e', ''])
    await once(dead, 'exit')
    const { hostname } = await import('node:os')
    writeFileSync(`${file}.lock`, `${dead.pid} ${hostname()}\n`)
    await history.append([record('r1', '2026-11-01T00:00:00.000Z')])
    expect(runsOf(await history.read())).toEqual(['r1'])
    expect(existsSync(`${file}.lock`)).toBe(false)

    const { withHistoryLock } = await import('../src/node/flakiness/history-lock.ts')
    const live = spawn('sleep', ['600'])
    try {
      writeFileSync(`${file}.lock`, `${live.pid} ${hostname()}\n`)
      // The seconds waited depend on the machine's load: only their form is checked.
      const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      await expect(withHistoryLock(file, async () => 'never', 200)).rejects.toThrow(
        new RegExp(
          `^${escaped(`${file}.lock has been held by ${live.pid} ${hostname()} for `)}\\d+ s; remove it if no testbed process is using the history$`,
        ),
      )
      expect(runsOf(await history.read())).toEqual(['r1'])
    } finally {
      live.kill()
      await once(live, 'exit')
    }
  })
})
