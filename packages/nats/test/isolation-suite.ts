// Run from two files, in two workers at once where Vitest has two (test/parallel-workers.test.ts
// makes sure: the files meet before each round): each test uses the same logical subject and
// stream names, and must never see the other worker's messages, however the two interleave.
import { setTimeout as sleep } from 'node:timers/promises'
import { meet } from '@testbed/test-support/rendezvous'
import { describe, expect } from 'vitest'
import { test } from '../src/index.ts'

export function isolationSuite(owner: string): void {
  describe('per-test subjects and streams under parallel workers', {
    tags: ['requires_nats', 'tier2'],
  }, () => {
    for (const round of [1, 2, 3]) {
      test(`worker ${owner}, round ${round}: sees only its own messages`, async ({
        natsScope,
        nats,
        jetstream,
        jsm,
      }) => {
        await meet(`nats-${round}`, owner)
        const stream = await natsScope.stream('EVENTS', { subjects: ['events.>'] })
        const seen: string[] = []
        const sub = nats.subscribe(natsScope.subject('events.>'), {
          callback: (_e, m) => {
            seen.push(m.string())
          },
        })
        for (let i = 0; i < 20; i++) {
          await jetstream.publish(natsScope.subject('events.created'), `${owner}:r${round}-${i}`)
          await sleep(5)
        }
        await nats.flush()
        sub.unsubscribe()
        expect(seen).toHaveLength(20)
        expect(new Set(seen.map((s) => s.split(':')[0]))).toEqual(new Set([owner]))
        const info = await jsm.streams.info(stream.name)
        expect(info.state.messages).toBe(20)
        const last = await jsm.streams.getMessage(stream.name, {
          last_by_subj: natsScope.subject('events.created'),
        })
        expect(last?.string()).toBe(`${owner}:r${round}-19`)
      })
    }
  })
}
