import { randomBytes } from 'node:crypto'
import { ensureBucket } from './buckets.js'
import { s3Client } from './client.js'
import type { S3Connection, S3Found } from './connection.js'

export interface ProvisionOptions {
  /** Buckets created at the start of the run, if missing (`['ft-cache-e2e']`). */
  buckets?: string[]
}

/** Creates the configured buckets; a bucket name the server refuses leaves the service broken. */
export async function provisionS3(c: S3Found, options: ProvisionOptions): Promise<S3Connection> {
  const buckets = options.buckets ?? []
  const client = s3Client(c)
  try {
    for (const bucket of buckets) await ensureBucket(client, bucket)
  } finally {
    client.destroy()
  }
  return { ...c, buckets, run: randomBytes(4).toString('hex') }
}
