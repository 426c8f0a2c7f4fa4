import type { S3Client } from '@aws-sdk/client-s3'
import { testScopeId, useService } from '@testbed/core'
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
  return (await useService<S3Config>({ task, skip }, 's3', 's3Config')).connection
}

export const test = base
  .extend('s3Config', s3For)
  .extend('s3', async ({ s3Config }, { onCleanup }) => {
    const client = s3Client(s3Config)
    onCleanup(() => client.destroy())
    return client
  })
  .extend('bucket', async ({ s3Config, s3 }, { onCleanup }) => {
    // `testbed-<run>-<test scope id>`: lowercase, 40 characters, unique to the test.
    const name = `${runBucketPrefix(s3Config.run)}${testScopeId()}`
    await ensureBucket(s3, name)
    onCleanup(() => deleteBucket(s3, name))
    return name
  })
