// Run from two files, in two workers at once where Vitest has two (test/parallel-workers.test.ts
// makes sure: the files meet before each round): each test writes the same keys into its own
// bucket and must see only its own objects, however the two interleave.
import { setTimeout as sleep } from 'node:timers/promises'
import { ListBucketsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { meet } from '@testbed/test-support/rendezvous'
import { describe, expect } from 'vitest'
import { test } from '../src/index.ts'
import { read } from './round-trip.ts'

export function isolationSuite(owner: string): void {
  describe('a bucket per test under parallel workers', { tags: ['requires_s3', 'tier2'] }, () => {
    for (const round of [1, 2, 3]) {
      test(`worker ${owner}, round ${round}: sees only its own objects`, async ({ s3, bucket }) => {
        await meet(`s3-${round}`, owner)
        for (let i = 0; i < 10; i++) {
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'owner', Body: owner }))
          await s3.send(
            new PutObjectCommand({ Bucket: bucket, Key: `items/${i}`, Body: `${owner}-r${round}-${i}` }),
          )
          await sleep(5)
          expect((await read(s3, bucket, 'owner')).toString()).toBe(owner)
        }
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }))
        expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(
          ['owner', ...Array.from({ length: 10 }, (_, i) => `items/${i}`)].sort(),
        )
        for (let i = 0; i < 10; i++)
          expect((await read(s3, bucket, `items/${i}`)).toString()).toBe(`${owner}-r${round}-${i}`)
        // Another test's bucket may exist at this moment, never under this one's name.
        const names = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name)
        expect(names.filter((name) => name === bucket)).toHaveLength(1)
      })
    }
  })
}
