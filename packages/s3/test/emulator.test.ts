import { createHash } from 'node:crypto'
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { s3Client } from '../src/client.ts'
import type { S3Found } from '../src/connection.ts'
import { createS3Handler, EMULATOR_HEADER, type S3Emulator, startS3Emulator } from '../src/emulator/index.ts'
import { putMultipart, putStreamed, randomData, read, sha256 } from './round-trip.ts'

const KEYS = { accessKeyId: 'EMULATORTESTKEY', secretAccessKey: 'emulator-test-secret' }
let emulator: S3Emulator
let found: S3Found
let s3: S3Client

beforeAll(async () => {
  emulator = await startS3Emulator({ credentials: [KEYS] })
  found = { endpoint: emulator.url, region: 'us-east-1', ...KEYS, credentialsSource: 'the test' }
  s3 = s3Client(found)
})
afterAll(async () => {
  s3.destroy()
  await emulator.close()
})

let buckets = 0
async function freshBucket(): Promise<string> {
  const name = `emulator-test-${++buckets}`
  await s3.send(new CreateBucketCommand({ Bucket: name }))
  return name
}

/** The S3 error code a command fails with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'no error',
    (error: Error) => error.name,
  )
}

describe("Testbed's S3 emulator, through the AWS SDK", { tags: ['tier1'] }, () => {
  test('a buffer, a stream (aws-chunked, CRC32 trailer) and a multipart upload come back byte for byte', async () => {
    const bucket = await freshBucket()
    const small = randomData(300_000)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'buffer', Body: small }))
    await putStreamed(s3, bucket, 'stream', small)
    const big = randomData(11 * 1024 * 1024 + 7)
    const etag = await putMultipart(s3, bucket, 'dir/multi part ü', big)
    expect(sha256(await read(s3, bucket, 'buffer'))).toBe(sha256(small))
    expect(sha256(await read(s3, bucket, 'stream'))).toBe(sha256(small))
    expect(sha256(await read(s3, bucket, 'dir/multi part ü'))).toBe(sha256(big))
    // S3's multipart ETag: MD5 of the parts' MD5s, then the number of parts (5 + 5 + 1 MiB).
    expect(etag).toMatch(/^"[0-9a-f]{32}-3"$/)
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'stream' }))
    expect(head.ContentLength).toBe(small.length)
    // The SDK asked for and checked the stored CRC32 on every GET above.
    const got = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'stream', ChecksumMode: 'ENABLED' }),
    )
    expect(got.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/)
    await got.Body?.transformToByteArray()
  })

  test('ranges, metadata, copies and presigned URLs', async () => {
    const bucket = await freshBucket()
    const data = Buffer.from('0123456789abcdef')
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'k',
        Body: data,
        ContentType: 'text/plain',
        Metadata: { owner: 'me' },
      }),
    )
    const part = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', Range: 'bytes=2-5' }))
    expect(await part.Body?.transformToString()).toBe('2345')
    expect(part.ContentRange).toBe('bytes 2-5/16')
    const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', Range: 'bytes=-3' }))
    expect(await tail.Body?.transformToString()).toBe('def')
    expect(
      await codeOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', Range: 'bytes=99-' }))),
    ).toBe('InvalidRange')
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/k` }))
    const copy = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy' }))
    expect({ type: copy.ContentType, meta: copy.Metadata, length: copy.ContentLength }).toEqual({
      type: 'text/plain',
      meta: { owner: 'me' },
      length: 16,
    })
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'k' }), { expiresIn: 60 })
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(response.headers.get(EMULATOR_HEADER)).toBe('s3')
    expect(await response.text()).toBe('0123456789abcdef')
    // Tampered with, the URL is refused.
    const tampered = await fetch(url.replace('/k?', '/copy?'))
    expect(tampered.status).toBe(403)
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
  })

  test('listing: prefixes, delimiters, and pages that resume where they stopped', async () => {
    const bucket = await freshBucket()
    const keys = ['a/1', 'a/2', 'b', 'c/x/1', 'd', 'e']
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }))
    const seen: string[] = []
    let token: string | undefined
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', MaxKeys: 2, ContinuationToken: token }),
      )
      expect((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0)).toBeLessThanOrEqual(2)
      seen.push(
        ...(page.Contents ?? []).map((o) => o.Key as string),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string),
      )
      token = page.NextContinuationToken
    } while (token)
    expect(seen.sort()).toEqual(['a/', 'b', 'c/', 'd', 'e'])
    const under = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/' }))
    expect(under.Contents?.map((o) => o.Key)).toEqual(['a/1', 'a/2'])
    const deleted = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    )
    expect(deleted.Deleted).toHaveLength(keys.length)
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0)
  })

  test("S3's refusals: bad checksums, small parts, bucket names, non-empty buckets, unknown operations", async () => {
    const bucket = await freshBucket()
    expect(
      await codeOf(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'data', ChecksumCRC32: 'AAAAAA==' })),
      ),
    ).toBe('BadDigest')
    expect(await codeOf(read(s3, bucket, 'k'))).toBe('NoSuchKey')
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'm' }))
    const parts = []
    for (const PartNumber of [1, 2]) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'm', UploadId, PartNumber, Body: `part ${PartNumber}` }),
      )
      parts.push({ ETag, PartNumber })
    }
    expect(
      await codeOf(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: 'm',
            UploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      ),
    ).toBe('EntityTooSmall')
    expect(await codeOf(s3.send(new CreateBucketCommand({ Bucket: 'Not_A_Bucket' })))).toBe(
      'InvalidBucketName',
    )
    expect(await codeOf(s3.send(new CreateBucketCommand({ Bucket: bucket })))).toBe('BucketAlreadyOwnedByYou')
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'data' }))
    expect(await codeOf(s3.send(new DeleteBucketCommand({ Bucket: bucket })))).toBe('BucketNotEmpty')
    const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).catch((e: Error) => e)
    expect(policy).toMatchObject({
      name: 'NotImplemented',
      message: "Testbed's S3 emulator does not implement GET ?policy",
    })
  })

  test('requests signed with another secret, an unknown key, or not at all are refused', async () => {
    const wrongSecret = s3Client({ ...found, secretAccessKey: 'not-the-secret' })
    const unknownKey = s3Client({ ...found, accessKeyId: 'NOSUCHKEY' })
    try {
      expect(await codeOf(wrongSecret.send(new ListObjectsV2Command({ Bucket: 'any' })))).toBe(
        'SignatureDoesNotMatch',
      )
      expect(await codeOf(unknownKey.send(new ListObjectsV2Command({ Bucket: 'any' })))).toBe(
        'InvalidAccessKeyId',
      )
    } finally {
      wrongSecret.destroy()
      unknownKey.destroy()
    }
    const anonymous = await fetch(`${emulator.url}/`)
    expect(anonymous.status).toBe(403)
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>')
  })
})

describe('signed aws-chunked uploads, checked against the example in AWS documentation', {
  tags: ['tier1'],
}, () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html: a PUT of 66560 × "a" in a
  // 64 KiB and a 1 KiB chunk, each signature chained to the one before, dated 2013-05-24.
  const credentials = [
    { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  ]
  const headers = {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
  }
  const chunk = (size: number, signature: string) =>
    Buffer.concat([
      Buffer.from(`${size.toString(16)};chunk-signature=${signature}\r\n`),
      Buffer.alloc(size, 'a'),
      Buffer.from('\r\n'),
    ])
  const body = () =>
    Buffer.concat([
      chunk(65536, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648'),
      chunk(1024, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497'),
      Buffer.from(
        '0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n',
      ),
    ])
  const handler = () =>
    createS3Handler({ credentials, buckets: ['examplebucket'], now: () => Date.UTC(2013, 4, 24, 0, 5) })
  const put = (handle: ReturnType<typeof handler>, data: Buffer) =>
    handle({ method: 'PUT', url: '/examplebucket/chunkObject.txt', headers, body: data })

  test('the documented request is accepted and stores the 66560 decoded bytes', () => {
    expect(body()).toHaveLength(66824)
    const response = put(handler(), body())
    expect(response.status).toBe(200)
    // The ETag is the MD5 of what was stored: the payload, not its framing.
    expect(response.headers.etag).toBe(
      `"${createHash('md5').update(Buffer.alloc(66560, 'a')).digest('hex')}"`,
    )
  })

  test('a changed byte, or a chunk signature out of the chain, is refused', () => {
    const tampered = body()
    tampered[200] = 'b'.charCodeAt(0)
    const changedByte = put(handler(), tampered)
    expect([changedByte.status, changedByte.body.toString()]).toEqual([
      403,
      expect.stringContaining('<Code>SignatureDoesNotMatch</Code>'),
    ])
    const reordered = Buffer.from(body().toString('latin1').replace('0055627c', '0055627d'), 'latin1')
    expect(put(handler(), reordered).status).toBe(403)
    // And the same request today: the signature is from 2013.
    const today = createS3Handler({ credentials, buckets: ['examplebucket'] })
    expect(put(today, body()).body.toString()).toContain('<Code>RequestTimeTooSkewed</Code>')
  })
})
