import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { withHistoryLock } from './history-lock.js'
import { isRecord, type TestOutcomeRecord } from './history-record.js'

/** Where the history is kept, relative to the repository root (the config's directory). */
export const HISTORY_FILE = '.testbed/history.jsonl'

/** `TESTBED_HISTORY`: a path (relative to the root) for the history, or `off` to keep none. */
export const HISTORY_VARIABLE = 'TESTBED_HISTORY'

/** What a read needs: the runs since a time, the last so many of them (a store may return more). */
export interface HistoryWindow {
  since?: Date
  runs?: number
}

export interface PruneResult {
  /** Runs that ended before the date, removed. */
  removed: number
  kept: number
}

/**
 * A history of test outcomes: the local JSON Lines file, or a shared one beside the result cache's
 * entries (`ResultStore.history`: @testbed/s3's `s3HistoryStore`). Runs only append.
 */
export interface HistoryStore {
  /** Where it is, for messages. */
  readonly location: string
  append(records: readonly TestOutcomeRecord[]): Promise<void>
  /** The records of the window's runs, oldest first. Absent history reads as none. */
  read(window?: HistoryWindow): Promise<TestOutcomeRecord[]>
  /** Removes the runs that ended before `before`; a run appending meanwhile is never lost. */
  prune(before: Date): Promise<PruneResult>
}

export class CorruptHistory extends Error {
  constructor(location: string, line: number, why: string) {
    super(`${location} line ${line}: ${why}`)
    this.name = 'CorruptHistory'
  }
}

/**
 * The records of one JSON Lines text; `torn` tolerates a last line cut short. A line of a later record
 * version is skipped; anything else that is not a record is damage, named by location and line.
 */
export function parseHistoryLines(text: string, location: string, torn: boolean): TestOutcomeRecord[] {
  const lines = text.split('\n')
  const records: TestOutcomeRecord[] = []
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      if (torn && i >= lines.length - 2) continue
      throw new CorruptHistory(location, i + 1, 'not a JSON line')
    }
    if (typeof value === 'object' && value !== null && (value as { v?: unknown }).v !== 1) continue
    if (!isRecord(value)) throw new CorruptHistory(location, i + 1, 'not a test outcome record')
    records.push(value)
  }
  return records
}

/** The records a window holds: since its time, then the last `runs` runs (in the records' order). */
export function inWindow(records: TestOutcomeRecord[], window: HistoryWindow = {}): TestOutcomeRecord[] {
  const since = window.since?.toISOString()
  const timed = since ? records.filter((r) => typeof r.at === 'string' && r.at >= since) : records
  if (!window.runs) return timed
  const runs = [...new Set(timed.map((r) => r.run))].slice(-window.runs)
  const kept = new Set(runs)
  return timed.filter((r) => kept.has(r.run))
}

/** Cuts a last line left short by a run killed while appending, so the next append starts a line. */
async function dropTornTail(file: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(file, 'r+')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    const { size } = await handle.stat()
    const chunk = Buffer.alloc(64 * 1024)
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length)
      const { bytesRead } = await handle.read(chunk, 0, end - start, start)
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(10)
      if (newline >= 0) {
        if (start + newline + 1 < size) await handle.truncate(start + newline + 1)
        return
      }
      end = start
    }
    if (size) await handle.truncate(0)
  } finally {
    await handle.close()
  }
}

/**
 * The history in a JSON Lines file. A run appends its lines in one write, holding the file's lock
 * (`<file>.lock`) as a prune does; a line cut short by a crash is skipped on reading and cut before
 * the next append. Lines of a later record version are skipped.
 */
export class LocalHistoryStore implements HistoryStore {
  constructor(readonly location: string) {}

  async append(records: readonly TestOutcomeRecord[]): Promise<void> {
    if (!records.length) return
    await mkdir(dirname(this.location), { recursive: true })
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('')
    await withHistoryLock(this.location, async () => {
      await dropTornTail(this.location)
      const handle = await open(this.location, 'a')
      try {
        await handle.writeFile(text)
      } finally {
        await handle.close()
      }
    })
  }

  private async text(): Promise<string | undefined> {
    try {
      return await readFile(this.location, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }

  async read(window?: HistoryWindow): Promise<TestOutcomeRecord[]> {
    const text = await this.text()
    return text === undefined ? [] : inWindow(parseHistoryLines(text, this.location, true), window)
  }

  /**
   * Under the lock (appends wait for it): the whole lines of runs that ended before `before` are
   * dropped, the rest written to a temp file beside the history and renamed over it in one step.
   */
  async prune(before: Date): Promise<PruneResult> {
    const cut = before.toISOString()
    // No history (nor, maybe, its directory): nothing to prune, and no lock to take there.
    if (!existsSync(this.location)) return { removed: 0, kept: 0 }
    return withHistoryLock(this.location, async () => {
      // Only the lock's holder writes a temp file: one found now is a killed prune's.
      const own = `${basename(this.location)}.`
      const entries = await readdir(dirname(this.location)).catch(() => [] as string[])
      for (const name of entries)
        if (name.startsWith(own) && name.endsWith('.tmp'))
          await rm(join(dirname(this.location), name), { force: true })
      const text = await this.text()
      if (text === undefined) return { removed: 0, kept: 0 }
      // Damage stops a prune: it would otherwise be rewritten away, unseen.
      parseHistoryLines(text, this.location, true)
      const removed = new Set<string>()
      const kept = new Set<string>()
      const lines = text.split('\n').filter((line) => {
        if (!line.trim()) return false
        let value: { run?: unknown; at?: unknown }
        try {
          value = JSON.parse(line)
        } catch {
          return false // the torn last line of a killed run
        }
        const old = typeof value.at === 'string' && value.at < cut
        ;(old ? removed : kept).add(String(value.run))
        return !old
      })
      if (!removed.size) return { removed: 0, kept: kept.size }
      const temp = `${this.location}.${randomUUID()}.tmp`
      try {
        await writeFile(temp, lines.map((l) => `${l}\n`).join(''))
        await rename(temp, this.location)
      } finally {
        await rm(temp, { force: true })
      }
      return { removed: removed.size, kept: kept.size }
    })
  }
}

/** The local history this checkout keeps, by `TESTBED_HISTORY`; undefined when it is `off`. */
export function historyStore(root: string, env: NodeJS.ProcessEnv = process.env): HistoryStore | undefined {
  const setting = env[HISTORY_VARIABLE]?.trim()
  if (setting === 'off') return undefined
  const file = setting || HISTORY_FILE
  return new LocalHistoryStore(isAbsolute(file) ? file : resolve(root, file))
}
