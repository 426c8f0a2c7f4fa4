// Uploads as applications make them, read back for a byte-for-byte comparison.
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

export function randomData(size: number): Buffer {
  return randomBytes(size)
}

/**
 * A PutObject whose body is a stream: the SDK sends it aws-chunked, with a CRC32 trailer (its default
 * checksum), the upload s3rver stored corrupted.
 */
export async function putStreamed(
  client: S3Client,
  bucket: string,
  key: string,
  data: Buffer,
): Promise<void> {
  const half = Math.floor(data.length / 2)
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: Readable.from([data.subarray(0, half), data.subarray(half)]),
      ContentLength: data.length,
    }),
  )
}

/** A multipart upload through @aws-sdk/lib-storage, in 5 MiB parts (S3's minimum). */
export async function putMultipart(
  client: S3Client,
  bucket: string,
  key: string,
  data: Buffer,
): Promise<string> {
  const done = await new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: Readable.from([data]) },
    partSize: 5 * 1024 * 1024,
  }).done()
  return done.ETag as string
}

export async function read(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  return Buffer.from((await Body?.transformToByteArray()) ?? [])
}
