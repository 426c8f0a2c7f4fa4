import type { S3Client } from '@aws-sdk/client-s3'
import { testScopeId, useConnection } from '@testbed/core'
import { test as base, type TestContext } from 'vitest'
import { deleteBucket, ensureBucket, runBucketPrefix } from './buckets.js'
import { s3Client } from './client.js'
import type { S3Config } from './connection.js'

export interface S3Fixtures {
  /** The endpoint, key pair and provisioned `buckets`, once the test is marked `requires_s3`. */
  s3Config: S3Config
  /** An S3Client (path-style) of the test's own, destroyed after it. */
  s3: S3Client
  /** The name of a bucket made for this test alone; emptied (objects, unfinished uploads) and deleted after it. */
  bucket: string
}

/**
 * The run's S3 for a test marked `requires_s3` (skips or fails it otherwise): a building block to add
 * S3 to another plugin's `test`: `postgresTest.extend('s3Config', s3For)`.
 */
export async function s3For({ task, skip }: Pick<TestContext, 'task' | 'skip'>): Promise<S3Config> {
  return useConnection<S3Config>({ task, skip }, 's3', 's3Config')
}

// Each fixture a test may name asks for the service under its own name, never through another
// fixture: the advice for a test without its marker then names the fixture the test used.
export const test = base
  .extend('s3Config', s3For)
  // The test's client, made when its first fixture asks (once that fixture checked the marker).
  .extend('s3TestClient', async ({}, { onCleanup }) => {
    let client: S3Client | undefined
    onCleanup(() => client?.destroy())
    return (s3Config: S3Config): S3Client => {
      client ??= s3Client(s3Config)
      return client
    }
  })
  .extend('s3', async ({ task, skip, s3TestClient }) =>
    s3TestClient(await useConnection<S3Config>({ task, skip }, 's3', 's3')),
  )
  .extend('bucket', async ({ task, skip, s3TestClient }, { onCleanup }) => {
    const s3Config = await useConnection<S3Config>({ task, skip }, 's3', 'bucket')
    const s3 = s3TestClient(s3Config)
    // `testbed-<run>-<test scope id>`: lowercase, 40 characters, unique to the test.
    const name = `${runBucketPrefix(s3Config.run)}${testScopeId()}`
    await ensureBucket(s3, name)
    onCleanup(() => deleteBucket(s3, name))
    return name
  })
