import type { S3Client } from '@aws-sdk/client-s3'
import { defineFixtureSet, type FixtureSet, useConnection } from '@testbed/core'
import { test as vitestTest } from 'vitest'
import { s3Client } from './client.js'
import type { S3Connection } from './connection.js'
import { testBucket } from './test-bucket.js'

export interface S3Fixtures {
  /** The endpoint, key pair and provisioned `buckets`, once the test is marked `requires_s3`. */
  s3Connection: S3Connection
  /** An S3Client (path-style) of the test's own, destroyed after it. */
  s3: S3Client
  /** The name of a bucket made for this test alone; emptied (objects, unfinished uploads) and deleted after it. */
  bucket: string
}

// Each fixture a test may name asks for the service under its own name, never through another
// fixture: the advice for a test without its marker then names the fixture the test used.
/** The S3 fixtures, for any `test`: `composeFixtures(vitestTest, postgresFixtures, s3Fixtures)`. */
export const s3Fixtures: FixtureSet<S3Fixtures> = defineFixtureSet((test) =>
  test
    .extend('s3Connection', ({ task, skip }) =>
      useConnection<S3Connection>({ task, skip }, 's3', 's3Connection'),
    )
    // The test's client, made when its first fixture asks (once that fixture checked the marker).
    .extend('s3TestClient', async ({}, { onCleanup }) => {
      let client: S3Client | undefined
      onCleanup(() => client?.destroy())
      return (connection: S3Connection): S3Client => {
        client ??= s3Client(connection)
        return client
      }
    })
    .extend('s3', async ({ task, skip, s3TestClient }) =>
      s3TestClient(await useConnection<S3Connection>({ task, skip }, 's3', 's3')),
    )
    .extend('bucket', async ({ task, skip, s3TestClient }, { onCleanup }) => {
      const connection = await useConnection<S3Connection>({ task, skip }, 's3', 'bucket')
      const bucket = await testBucket(connection, { client: s3TestClient(connection) })
      onCleanup(() => bucket.release())
      return bucket.name
    }),
)

/** Vitest's `test` with the S3 fixtures. */
export const test = s3Fixtures(vitestTest)
