import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3'
import { containersOfThisProcess } from '@testbed/test-support/outside-process'
import { describe, expect, test } from 'vitest'
import { runBucketPrefix } from '../src/buckets.ts'
import { s3Client } from '../src/client.ts'
import type { S3Connection } from '../src/connection.ts'
import { EMULATOR } from '../src/providers/embedded.ts'
import { outsideEmulator } from './outside-emulator.ts'
import { putMultipart, putStreamed, randomData, read, sha256 } from './round-trip.ts'
import { ready, type Started, startS3, stopAndCheck } from './start-s3.ts'

const BUCKETS = { buckets: ['ft-cache-e2e'] }

async function bucketNames(client: S3Client): Promise<string[]> {
  return ((await client.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name as string)
}

/** The provisioned bucket is there; a streamed and a multipart upload into it read back byte for byte. */
async function exercise(started: Started): Promise<S3Connection> {
  const c = ready(started)
  expect(c.buckets).toEqual(['ft-cache-e2e'])
  const client = s3Client(c)
  try {
    expect(await bucketNames(client)).toContain('ft-cache-e2e')
    const small = randomData(200_000)
    await putStreamed(client, 'ft-cache-e2e', 'streamed', small)
    expect(sha256(await read(client, 'ft-cache-e2e', 'streamed'))).toBe(sha256(small))
    const big = randomData(10 * 1024 * 1024 + 1)
    await putMultipart(client, 'ft-cache-e2e', 'multipart', big)
    expect(sha256(await read(client, 'ft-cache-e2e', 'multipart'))).toBe(sha256(big))
  } finally {
    client.destroy()
  }
  return c
}

/** Whether anything answers HTTP there. */
async function answers(endpoint: string): Promise<boolean> {
  return fetch(endpoint).then(
    () => true,
    () => false,
  )
}

describe('S3 providers', { tags: ['tier2'] }, () => {
  test('embedded: the emulator serves, provisioned, says it is one, and is gone after the run', async () => {
    const started = await startS3({ TESTBED_S3_PROVIDERS: 'embedded' }, BUCKETS)
    const c = await exercise(started)
    expect(started.status.state === 'ready' && [started.status.provider, started.status.emulated]).toEqual([
      'embedded',
      EMULATOR,
    ])
    expect(started.status.state === 'ready' && started.status.env).toMatchObject({
      AWS_ENDPOINT_URL_S3: c.endpoint,
      S3_ENDPOINT: c.endpoint,
      S3_BUCKET: 'ft-cache-e2e',
      AWS_ACCESS_KEY_ID: c.accessKeyId,
    })
    expect(await stopAndCheck(started)).toEqual([])
    expect(await answers(c.endpoint)).toBe(false)
  })

  test('env: AWS_ENDPOINT_URL_S3 names an S3 in another process, which keeps its data; the run clears its own buckets', async () => {
    const outside = await outsideEmulator()
    const started = await startS3(outside.env, BUCKETS)
    expect(started.status.state === 'ready' && [started.status.provider, started.status.emulated]).toEqual([
      'env',
      undefined,
    ])
    const c = await exercise(started)
    expect(c.endpoint).toBe(outside.endpoint)
    // A per-test bucket a crashed worker left behind: the run deletes it at its end.
    const client = s3Client(c)
    const leftover = `${runBucketPrefix(c.run)}left-behind`
    await client.send(new CreateBucketCommand({ Bucket: leftover }))
    expect(await stopAndCheck(started)).toEqual([])
    try {
      expect(await bucketNames(client)).toEqual(['ft-cache-e2e'])
      expect(await read(client, 'ft-cache-e2e', 'streamed')).toHaveLength(200_000)
      // Provisioning again changes nothing: the bucket exists and is ours.
      const again = await startS3(
        { ...outside.env, AWS_ENDPOINT_URL_S3: '', S3_ENDPOINT: outside.endpoint },
        BUCKETS,
      )
      expect(ready(again).endpoint).toBe(outside.endpoint)
      expect(again.status.state === 'ready' && again.status.detail).toBe('from S3_ENDPOINT')
      expect(await stopAndCheck(again)).toEqual([])
      await client.send(new HeadBucketCommand({ Bucket: 'ft-cache-e2e' }))
    } finally {
      client.destroy()
    }
  })

  test('container: an S3 image through a real Docker engine', { tags: ['requires_docker'] }, async () => {
    // No registry here: .ci/images/s3.sh builds this image locally around the emulator (its CLI).
    // On GitHub, TESTBED_S3_IMAGE names LocalStack instead.
    const image = process.env.TESTBED_S3_IMAGE ?? 'testbed/s3:local'
    const started = await startS3(
      {
        TESTBED_S3_PROVIDERS: 'container',
        DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      },
      { ...BUCKETS, container: { image } },
    )
    const c = await exercise(started)
    expect(started.status.state === 'ready' && started.status.provider).toBe('container')
    expect(containersOfThisProcess()).toHaveLength(1)
    expect(await stopAndCheck(started)).toEqual([])
    expect(containersOfThisProcess()).toEqual([])
    expect(await answers(c.endpoint)).toBe(false)
  })
})
