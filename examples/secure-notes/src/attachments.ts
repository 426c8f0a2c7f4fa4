// Note attachments in S3: streamed in (multipart once large) and streamed back out.
import type { Readable } from 'node:stream'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'

export interface Attachments {
  put(key: string, body: Readable, contentType: string): Promise<void>
  /** The object's bytes and type, or undefined when there is none. */
  get(key: string): Promise<{ body: Readable; contentType: string; length?: number } | undefined>
  close(): void
}

/**
 * `AWS_ENDPOINT_URL_S3` (read by the SDK itself) names a non-AWS endpoint, which serves buckets by
 * path; credentials and region come from the SDK's usual variables.
 */
export function s3Attachments(bucket: string, endpoint?: string): Attachments {
  const client = new S3Client({ forcePathStyle: Boolean(endpoint) })
  return {
    async put(key, body, contentType) {
      await new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
      }).done()
    },
    async get(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        return {
          body: object.Body as Readable,
          contentType: object.ContentType ?? 'application/octet-stream',
          length: object.ContentLength,
        }
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined
        throw error
      }
    },
    close: () => client.destroy(),
  }
}
