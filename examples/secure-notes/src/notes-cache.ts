// Each user's note list, cached in Redis until they add a note.
import { Redis } from 'ioredis'

export interface NotesCache {
  get(owner: string): Promise<unknown[] | undefined>
  set(owner: string, notes: unknown[]): Promise<void>
  forget(owner: string): Promise<void>
  close(): Promise<void>
}

export const noCache: NotesCache = {
  get: async () => undefined,
  set: async () => {},
  forget: async () => {},
  close: async () => {},
}

const TTL_SECONDS = 60

/** `keyPrefix` puts every key under one namespace (tests give each run of the service its own). */
export function redisNotesCache(url: string, keyPrefix = ''): NotesCache {
  const redis = new Redis(url, { keyPrefix, maxRetriesPerRequest: 1 })
  const key = (owner: string) => `notes:${owner}`
  return {
    async get(owner) {
      const cached = await redis.get(key(owner))
      return cached === null ? undefined : (JSON.parse(cached) as unknown[])
    },
    async set(owner, notes) {
      await redis.set(key(owner), JSON.stringify(notes), 'EX', TTL_SECONDS)
    },
    async forget(owner) {
      await redis.del(key(owner))
    },
    async close() {
      await redis.quit()
    },
  }
}
