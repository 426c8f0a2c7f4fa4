import { once } from 'node:events'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { describe, expect, test } from 'vitest'
import { s3Client } from '../src/client.ts'
import { outsideEmulator } from './outside-emulator.ts'
import { ready, startS3, stopAndCheck } from './start-s3.ts'

describe('an S3 that dies mid-run', { tags: ['tier2'] }, () => {
  test('the next request names the endpoint, and the run still stops cleanly', async () => {
    const outside = await outsideEmulator()
    const started = await startS3(outside.env, { buckets: ['ft-cache-e2e'] })
    const c = ready(started)
    const client = s3Client(c, { maxAttempts: 1 })
    try {
      await client.send(new PutObjectCommand({ Bucket: 'ft-cache-e2e', Key: 'before', Body: '1' }))
      outside.child.kill('SIGKILL')
      await once(outside.child, 'exit')
      const failure = await client
        .send(new PutObjectCommand({ Bucket: 'ft-cache-e2e', Key: 'after', Body: '2' }))
        .then(
          () => undefined,
          (error: Error) => error,
        )
      expect(failure?.message).toMatch(new RegExp(`ECONNREFUSED.* \\(S3 at ${c.endpoint}\\)$`))
      expect(failure?.message).not.toContain(c.secretAccessKey)
    } finally {
      client.destroy()
    }
    // Clearing the run's buckets fails against a dead server; stopping still completes.
    expect(await stopAndCheck(started)).toEqual([])
  })
})
