/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures, building blocks and types for test files.
export { deleteBucket, ensureBucket } from './buckets.js'
export { s3Client } from './client.js'
export { type S3Connection, type S3Found, s3Env } from './connection.js'
export { type S3Fixtures, s3Fixtures, test } from './fixtures.js'
export { type TestBucket, type TestBucketOptions, testBucket } from './test-bucket.js'

declare module '@testbed/core' {
  interface TestbedServices {
    s3: true
  }
}
