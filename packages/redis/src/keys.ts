import { testScopeId } from '@testbed/core'
import type { Redis } from 'ioredis'

/**
 * `testbed:<test scope id>:` (`testbed:w1-3fa2c1-7:`), or `testbed:<label>:<test scope id>:` given a
 * label: a new one on every call, unique to one test of any run.
 */
export function testPrefix(label?: string): string {
  return `testbed:${label ? `${label}:` : ''}${testScopeId()}:`
}

/** A SCAN MATCH pattern matching `text` literally. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/**
 * Removes every key under `prefix` with SCAN MATCH + UNLINK (DEL where UNLINK is unknown), through a
 * client WITHOUT a keyPrefix. Never FLUSHDB/FLUSHALL: other keys on the server are not ours.
 */
export async function removeKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0'
  let removed = 0
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 1000)
    if (keys.length) {
      removed += await client.unlink(...keys).catch((error: Error) => {
        if (/unknown command/i.test(error.message)) return client.del(...keys)
        throw error
      })
    }
    cursor = next
  } while (cursor !== '0')
  return removed
}
