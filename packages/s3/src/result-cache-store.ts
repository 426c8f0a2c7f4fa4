// The result cache's S3 store (docs/result-cache.md). It lives here, not in core: core defines the
// store interface and must not depend on the S3 plugin; the config passes it in:
//   defineTestbed({ resultCache: { store: s3ResultStore({ bucket: 'ft-cache-e2e', prefix: 'results/' }) } })
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import type { CacheEntry, ResultStore } from '@testbed/core/config'
import { s3Client } from './client.js'
import type { S3Found } from './connection.js'
import { s3HistoryStore } from './history-store.js'
import { fromEnv } from './providers/env.js'

export interface S3ResultStoreOptions {
  bucket: string
  /** Put before each key: `results/` (default: none). */
  prefix?: string
  /** Where S3 is; default: the variables the `env` provider reads (`AWS_ENDPOINT_URL_S3` or `S3_ENDPOINT`, the key pair). */
  endpoint?: S3Found
  /** Lookups in flight at once (default 32, below the SDK's 50 sockets): a warm run of 500 files waits 16 round trips, not 500. */
  concurrency?: number
  /** For the SDK client; default one attempt, so an unreachable store is said at once (the run goes cold). */
  client?: S3ClientConfig
}

const missing = (error: unknown) => {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return name === 'NoSuchKey' || ($metadata?.httpStatusCode === 404 && name !== 'NoSuchBucket')
}

/**
 * A result-cache store in an S3 bucket: one object per key, `<prefix><key>.json`; the flakiness
 * history beside them, under `<prefix>history/` (s3HistoryStore), through the same client.
 */
export function s3ResultStore(options: S3ResultStoreOptions): ResultStore {
  const prefix = options.prefix ?? ''
  const concurrency = options.concurrency ?? 32
  let client: S3Client | undefined
  // Read when first used (in the main process, once the config is loaded), not at import.
  const connect = () => {
    client ??= s3Client(options.endpoint ?? fromEnv(process.env).connection, {
      maxAttempts: 1,
      ...options.client,
    })
    return client
  }
  const objectKey = (key: string) => `${prefix}${key}.json`
  return {
    description: `s3://${options.bucket}/${prefix}`,
    history: s3HistoryStore({ bucket: options.bucket, prefix }, connect),
    async getMany(keys) {
      const s3 = connect()
      const found = new Map<string, CacheEntry>()
      let next = 0
      const worker = async () => {
        while (next < keys.length) {
          const key = keys[next++] as string
          try {
            const object = await s3.send(
              new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
            )
            const text = (await object.Body?.transformToString('utf8')) ?? ''
            try {
              found.set(key, JSON.parse(text) as CacheEntry)
            } catch {} // a torn or foreign object is a miss, never a hit
          } catch (error) {
            if (!missing(error)) throw error
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker))
      return found
    },
    async put(key, entry) {
      await connect().send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: objectKey(key),
          Body: JSON.stringify(entry),
          ContentType: 'application/json',
        }),
      )
    },
    async delete(key) {
      await connect().send(new DeleteObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }))
    },
  }
}
