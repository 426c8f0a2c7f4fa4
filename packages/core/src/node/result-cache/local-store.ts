import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CacheEntry, ResultStore } from './store.js'

/** A directory of `<key>.json` files, two-character fan-out (`ab/abcd….json`); written atomically. */
export class LocalResultStore implements ResultStore {
  readonly description: string
  constructor(readonly dir: string) {
    this.description = `local ${dir}`
  }

  private path(key: string) {
    return join(this.dir, key.slice(0, 2), `${key}.json`)
  }

  async getMany(keys: readonly string[]): Promise<Map<string, CacheEntry>> {
    const found = new Map<string, CacheEntry>()
    await Promise.all(
      keys.map(async (key) => {
        let text: string
        try {
          text = await readFile(this.path(key), 'utf8')
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
          throw error
        }
        // A torn or foreign file is a miss, never a hit.
        try {
          found.set(key, JSON.parse(text) as CacheEntry)
        } catch {}
      }),
    )
    return found
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    const path = this.path(key)
    const temp = `${path}.${process.pid}.tmp`
    const body = JSON.stringify(entry)
    // The fan-out directory is made when a write finds it missing: a cold run of 500 files then makes
    // each of its (at most 256) directories once instead of asking for one on every put.
    try {
      await writeFile(temp, body)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true })
      await writeFile(temp, body)
    }
    await rename(temp, path)
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true })
  }
}
