import type { S3Client } from '@aws-sdk/client-s3'
import { testScopeId } from '@testbed/core'
import { deleteBucket, ensureBucket, runBucketPrefix } from './buckets.js'
import { s3Client } from './client.js'
import type { S3Connection } from './connection.js'

/** A bucket made for one test. */
export interface TestBucket {
  /** `testbed-<run>-<test scope id>`, or `testbed-<run>-<label>-<test scope id>` with a label. */
  name: string
  /** The client it was made with: `options.client`, or one of its own that `release()` destroys. */
  client: S3Client
  /** Empties the bucket (objects, unfinished multipart uploads) and deletes it. Calling it again does nothing more. */
  release(): Promise<void>
}

export interface TestBucketOptions {
  /**
   * Put into the name (`testbed-<run>-<label>-<test scope id>`), so a test can tell a second bucket
   * of its own apart. Lowercase letters, digits and `-`.
   */
  label?: string
  /** Make the bucket with this client (left open by `release()`); default: a client of its own. */
  client?: S3Client
}

/**
 * A bucket of the test's own, named with the run's prefix so that the run deletes it at its end even
 * if `release()` never ran: what the `bucket` fixture is made of, for fixtures of your own.
 */
export async function testBucket(
  connection: S3Connection,
  options: TestBucketOptions = {},
): Promise<TestBucket> {
  const { label } = options
  if (label !== undefined && !/^[a-z0-9-]+$/.test(label))
    throw new Error(`testBucket: the label "${label}" may hold only lowercase letters, digits and "-"`)
  const client = options.client ?? s3Client(connection)
  const name = `${runBucketPrefix(connection.run)}${label === undefined ? '' : `${label}-`}${testScopeId()}`
  try {
    await ensureBucket(client, name)
  } catch (error) {
    if (!options.client) client.destroy()
    throw error
  }
  let released: Promise<void> | undefined
  return {
    name,
    client,
    release() {
      released ??= deleteBucket(client, name).finally(() => {
        if (!options.client) client.destroy()
      })
      return released
    },
  }
}
