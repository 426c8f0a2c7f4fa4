/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures and types for test files.
export { deleteBucket, ensureBucket } from './buckets.js'
export { s3Client } from './client.js'
export { type S3Config, s3Env } from './connection.js'
export { type S3Fixtures, s3For, test } from './fixtures.js'

declare module '@testbed/core' {
  interface TestbedServices {
    s3: true
  }
}
