import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { isRecord, type TestOutcomeRecord } from './history-record.js'

/** Where the history is kept, relative to the repository root (the config's directory). */
export const HISTORY_FILE = '.testbed/history.jsonl'

/** `TESTBED_HISTORY`: a path (relative to the root) for the history, or `off` to keep none. */
export const HISTORY_VARIABLE = 'TESTBED_HISTORY'

/**
 * A history of test outcomes. Runs only append; a report reads it all. A remote store (the result
 * cache's S3 bucket, say) implements the same two calls.
 */
export interface HistoryStore {
  /** Where it is, for messages. */
  readonly location: string
  append(records: readonly TestOutcomeRecord[]): Promise<void>
  /** Every record, oldest first. Absent history reads as none. */
  read(): Promise<TestOutcomeRecord[]>
}

export class CorruptHistory extends Error {
  constructor(location: string, line: number, why: string) {
    super(`${location} line ${line}: ${why}`)
    this.name = 'CorruptHistory'
  }
}

/**
 * The history in a JSON Lines file. One `appendFile` per run, whose writes of a few kilobytes land
 * whole even when two runs append at once (O_APPEND); a line cut short by a crash is skipped with
 * a note rather than losing the file. Lines of a later record version are skipped.
 */
export class LocalHistoryStore implements HistoryStore {
  constructor(readonly location: string) {}

  async append(records: readonly TestOutcomeRecord[]): Promise<void> {
    if (!records.length) return
    await mkdir(dirname(this.location), { recursive: true })
    await appendFile(this.location, records.map((r) => `${JSON.stringify(r)}\n`).join(''))
  }

  async read(): Promise<TestOutcomeRecord[]> {
    let text: string
    try {
      text = await readFile(this.location, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    const lines = text.split('\n')
    const records: TestOutcomeRecord[] = []
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch {
        // Only the last line may be cut short (a run killed while appending); anything else is damage.
        if (i >= lines.length - 2) continue
        throw new CorruptHistory(this.location, i + 1, 'not a JSON line')
      }
      if (typeof value === 'object' && value !== null && (value as { v?: unknown }).v !== 1) continue
      if (!isRecord(value)) throw new CorruptHistory(this.location, i + 1, 'not a test outcome record')
      records.push(value)
    }
    return records
  }
}

/** The history this checkout keeps, by `TESTBED_HISTORY`; undefined when it is `off`. */
export function historyStore(root: string, env: NodeJS.ProcessEnv = process.env): HistoryStore | undefined {
  const setting = env[HISTORY_VARIABLE]?.trim()
  if (setting === 'off') return undefined
  const file = setting || HISTORY_FILE
  return new LocalHistoryStore(isAbsolute(file) ? file : resolve(root, file))
}
