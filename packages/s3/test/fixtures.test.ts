import { fileURLToPath } from 'node:url'
import { HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test as vitestTest } from 'vitest'
import { test, testBucket } from '../src/index.ts'
import { putMultipart, putStreamed, randomData, read, sha256 } from './round-trip.ts'

// Tests of one file run in order: the second looks for what the first was given.
let previous: string | undefined

describe('the s3 fixtures', { tags: ['requires_s3', 'tier2'] }, () => {
  test('a bucket of the test own, empty, on a path-style client; the run config exported', async ({
    s3,
    s3Connection,
    bucket,
  }) => {
    expect(bucket).toMatch(new RegExp(`^testbed-${s3Connection.run}-w\\d+-[0-9a-f]{6}-[0-9a-z]+$`))
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0)
    expect(s3Connection.buckets).toContain('ft-cache-e2e')
    expect(process.env.AWS_ENDPOINT_URL_S3).toBe(s3Connection.endpoint)
    expect(process.env.S3_BUCKET).toBe('ft-cache-e2e')
    const small = randomData(64 * 1024)
    await putStreamed(s3, bucket, 'streamed', small)
    expect(sha256(await read(s3, bucket, 'streamed'))).toBe(sha256(small))
    const big = randomData(5 * 1024 * 1024 + 11)
    await putMultipart(s3, bucket, 'multipart', big)
    expect(sha256(await read(s3, bucket, 'multipart'))).toBe(sha256(big))
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'left/behind', Body: 'x' }))
    previous = bucket
  })

  test('the previous test bucket was emptied and deleted', async ({ s3 }) => {
    expect(previous).toBeDefined()
    const error = await s3.send(new HeadBucketCommand({ Bucket: previous })).catch((e: Error) => e)
    expect(error).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } })
  })
})

describe('testBucket, the building block the bucket fixture is made of', {
  tags: ['requires_s3', 'tier2'],
}, () => {
  test('a labelled bucket on the given client, which stays open; release empties and deletes it, once', async ({
    s3Connection,
    s3,
    bucket,
  }) => {
    const extra = await testBucket(s3Connection, { label: 'attachments', client: s3 })
    expect(extra.name).toMatch(
      new RegExp(`^testbed-${s3Connection.run}-attachments-w\\d+-[0-9a-f]{6}-[0-9a-z]+$`),
    )
    expect(extra.client).toBe(s3)
    await s3.send(new PutObjectCommand({ Bucket: extra.name, Key: 'a', Body: 'x' }))
    await Promise.all([extra.release(), extra.release()])
    await extra.release()
    const error = await s3.send(new HeadBucketCommand({ Bucket: extra.name })).catch((e: Error) => e)
    expect(error).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } })
    await s3.send(new HeadBucketCommand({ Bucket: bucket })) // the test's client still works
    const own = await testBucket(s3Connection)
    expect(own.client).not.toBe(s3)
    await own.release()
    const gone = await s3.send(new HeadBucketCommand({ Bucket: own.name })).catch((e: Error) => e)
    expect(gone).toMatchObject({ name: 'NotFound' })
  })

  test('a label that cannot be part of a bucket name is refused', async ({ s3Connection }) => {
    await expect(testBucket(s3Connection, { label: 'Notes' })).rejects.toThrow(
      'testBucket: the label "Notes" may hold only lowercase letters, digits and "-"',
    )
  })
})

vitestTest(
  'a fixture used without the marker fails with advice naming that fixture',
  { tags: ['tier2'] },
  async () => {
    const run = await runVitest({ fixture: fileURLToPath(new URL('./fixtures/unmarked', import.meta.url)) })
    for (const fixture of ['s3Connection', 's3', 'bucket']) {
      const name = `uses ${fixture} unmarked`
      expect(run.status(name)).toBe('failed')
      expect(run.tests.find((t) => t.fullName.endsWith(name))?.failureMessages.join('\n')).toContain(
        `'${name}' uses the s3 fixture '${fixture}' but is not marked requires_s3. Add { tags: ['requires_s3'] }`,
      )
    }
    expect(run.stderr).not.toContain('s3 ready') // nothing was started for tests that may not use it
  },
)
