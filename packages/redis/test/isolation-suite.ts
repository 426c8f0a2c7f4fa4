// Run from two files, in two workers at once where Vitest has two (test/parallel-workers.test.ts
// makes sure: the files meet before each round): each test writes the same key names under its
// own prefix and must never see the other worker's values, however the two interleave.
import { setTimeout as sleep } from 'node:timers/promises'
import { meet } from '@testbed/test-support/rendezvous'
import { describe, expect } from 'vitest'
import { test } from '../src/index.ts'

export function isolationSuite(owner: string): void {
  describe('per-test key prefixes under parallel workers', { tags: ['requires_redis', 'tier2'] }, () => {
    for (const round of [1, 2, 3]) {
      test(`worker ${owner}, round ${round}: sees only its own values`, async ({ redis }) => {
        await meet(`redis-${round}`, owner)
        for (let i = 0; i < 20; i++) {
          await redis.set('owner', owner)
          await redis.rpush('items', `${owner}-r${round}-${i}`)
          await redis.incr('count')
          await sleep(5)
          expect(await redis.get('owner')).toBe(owner)
        }
        const items = await redis.lrange('items', 0, -1)
        expect(items).toHaveLength(20)
        expect(items.every((item) => item.startsWith(`${owner}-r${round}-`))).toBe(true)
        expect(await redis.get('count')).toBe('20')
      })
    }
  })
}
