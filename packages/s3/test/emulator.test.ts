import { createHash } from 'node:crypto'
import { lookup as dnsLookup } from 'node:dns'
import { Agent, request as httpRequest } from 'node:http'
import type { LookupFunction } from 'node:net'
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketAclCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
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

describe('what S3 keeps with an object, and what the emulator refuses by name', { tags: ['tier1'] }, () => {
  test('storage class, SSE-S3 and tags are kept and given back; archived objects cannot be read', async () => {
    const bucket = await freshBucket()
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'ia',
        Body: 'infrequent',
        StorageClass: 'STANDARD_IA',
        ServerSideEncryption: 'AES256',
        Tagging: 'team=build&stage=ci%20run',
      }),
    )
    expect(put.ServerSideEncryption).toBe('AES256')
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'ia' }))
    expect([head.StorageClass, head.ServerSideEncryption]).toEqual(['STANDARD_IA', 'AES256'])
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ia' }))
    expect([got.TagCount, await got.Body?.transformToString()]).toEqual([2, 'infrequent'])
    // STANDARD is never named on HEAD, as S3 does; listings always name the class.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'std', Body: 'x' }))
    const std = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'std' }))
    expect([std.StorageClass, std.ServerSideEncryption]).toEqual([undefined, 'AES256'])
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }))
    expect(listed.Contents?.map((o) => [o.Key, o.StorageClass])).toEqual([
      ['ia', 'STANDARD_IA'],
      ['std', 'STANDARD'],
    ])
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'ia' }))
    expect(tags.TagSet).toEqual([
      { Key: 'team', Value: 'build' },
      { Key: 'stage', Value: 'ci run' },
    ])
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'ia',
        Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
      }),
    )
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'ia' }))).TagSet).toEqual([
      { Key: 'k', Value: 'v' },
    ])
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'ia' }))
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'ia' }))).TagSet).toEqual([])
    // A copy takes STANDARD unless told otherwise, and the source's tags unless REPLACEd.
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'ia',
        Tagging: { TagSet: [{ Key: 'a', Value: '1' }] },
      }),
    )
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copied', CopySource: `${bucket}/ia` }))
    const copied = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'copied' }))
    expect([copied.StorageClass, copied.TagCount]).toEqual([undefined, 1])
    await copied.Body?.transformToString()
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cold', Body: 'x', StorageClass: 'GLACIER' }))
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cold' }))).StorageClass).toBe(
      'GLACIER',
    )
    expect(await codeOf(read(s3, bucket, 'cold'))).toBe('InvalidObjectState')
    expect(
      await codeOf(
        s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'thawed', CopySource: `${bucket}/cold` })),
      ),
    ).toBe('InvalidObjectState')
  })

  test('bad storage classes and tags, ACLs other than the owner’s, KMS and SSE-C are refused, each by name', async () => {
    const bucket = await freshBucket()
    const refusal = (input: Partial<ConstructorParameters<typeof PutObjectCommand>[0]>) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', ...input })).then(
        () => 'accepted',
        (error: Error) => `${error.name}: ${error.message}`,
      )
    expect(await refusal({ StorageClass: 'COLD' as 'GLACIER' })).toBe(
      'InvalidStorageClass: The storage class you specified is not valid',
    )
    expect(await refusal({ Tagging: 'aws:x=1' })).toBe('InvalidTag: Your TagKey cannot be prefixed with aws:')
    expect(await refusal({ Tagging: Array.from({ length: 11 }, (_, i) => `t${i}=v`).join('&') })).toBe(
      'InvalidTag: Object tags cannot be greater than 10',
    )
    expect(await refusal({ ACL: 'public-read' })).toBe(
      'AccessControlListNotSupported: The bucket does not allow ACLs (x-amz-acl: public-read)',
    )
    expect(await refusal({ GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' })).toBe(
      'AccessControlListNotSupported: The bucket does not allow ACLs (x-amz-grant-read)',
    )
    expect(await refusal({ ACL: 'bucket-owner-full-control' })).toBe('accepted')
    expect(await refusal({ ACL: 'private' })).toBe('accepted')
    expect(await refusal({ ServerSideEncryption: 'aws:kms' })).toBe(
      "NotImplemented: Testbed's S3 emulator does not implement SSE-KMS (x-amz-server-side-encryption: aws:kms); only AES256 (SSE-S3) is",
    )
    expect(
      await refusal({
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: 'k'.repeat(32),
      }),
    ).toMatch(
      /^NotImplemented: Testbed's S3 emulator does not implement SSE-C \(x-amz-server-side-encryption-customer-/,
    )
    expect(await refusal({ ObjectLockLegalHoldStatus: 'ON' })).toBe(
      'InvalidRequest: Bucket is missing Object Lock Configuration (x-amz-object-lock-legal-hold)',
    )
    expect(await refusal({ ExpectedBucketOwner: '111122223333' })).toBe(
      "NotImplemented: Testbed's S3 emulator does not implement the request header x-amz-expected-bucket-owner",
    )
    // Reading an ACL shows the owner's full control; setting one is refused.
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: bucket }))
    expect(acl.Grants?.map((g) => [g.Grantee?.ID, g.Permission])).toEqual([['testbed', 'FULL_CONTROL']])
    expect(await codeOf(s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' })))).toBe(
      'AccessControlListNotSupported',
    )
  })

  test('bucket tagging (NoSuchTagSet until put) and an unversioned bucket’s versioning', async () => {
    const bucket = await freshBucket()
    expect(await codeOf(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })))).toBe('NoSuchTagSet')
    await s3.send(
      new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: 'cost', Value: 'ci' }] } }),
    )
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual([
      { Key: 'cost', Value: 'ci' },
    ])
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: bucket }))
    expect(await codeOf(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })))).toBe('NoSuchTagSet')
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))
    expect([versioning.$metadata.httpStatusCode, versioning.Status]).toEqual([200, undefined])
  })

  test('UploadPartCopy with ranges, ListParts in pages, and an absolute Location', async () => {
    const bucket = await freshBucket()
    const source = randomData(7 * 1024 * 1024 + 3)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'source', Body: source }))
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'assembled' }))
    const cut = 5 * 1024 * 1024
    const ranges = [`bytes=0-${cut - 1}`, `bytes=${cut}-${source.length - 1}`]
    const parts = []
    for (const [index, CopySourceRange] of ranges.entries()) {
      const copied = await s3.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: 'assembled',
          UploadId,
          PartNumber: index + 1,
          CopySource: `${bucket}/source`,
          CopySourceRange,
        }),
      )
      parts.push({ PartNumber: index + 1, ETag: copied.CopyPartResult?.ETag })
    }
    expect(
      await codeOf(
        s3.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: 'assembled',
            UploadId,
            PartNumber: 3,
            CopySource: `${bucket}/source`,
            CopySourceRange: `bytes=0-${source.length}`,
          }),
        ),
      ),
    ).toBe('InvalidArgument')
    const firstPage = await s3.send(
      new ListPartsCommand({ Bucket: bucket, Key: 'assembled', UploadId, MaxParts: 1 }),
    )
    expect([firstPage.Parts?.map((p) => p.PartNumber), firstPage.IsTruncated]).toEqual([[1], true])
    const secondPage = await s3.send(
      new ListPartsCommand({
        Bucket: bucket,
        Key: 'assembled',
        UploadId,
        PartNumberMarker: firstPage.NextPartNumberMarker,
      }),
    )
    expect([secondPage.Parts?.map((p) => p.PartNumber), secondPage.IsTruncated]).toEqual([[2], false])
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'assembled',
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    )
    expect(done.Location).toBe(`${emulator.url}/${bucket}/assembled`)
    expect(sha256(await read(s3, bucket, 'assembled'))).toBe(sha256(source))
  })

  test('conditional reads and writes, and answer headers asked for in the query', async () => {
    const bucket = await freshBucket()
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v1' }))
    const later = new Date(Date.now() + 3_600_000)
    const earlier = new Date(Date.now() - 3_600_000)
    const status = (input: Partial<ConstructorParameters<typeof GetObjectCommand>[0]>) =>
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', ...input })).then(
        async (got) => `${got.$metadata.httpStatusCode} ${await got.Body?.transformToString()}`,
        (error: { $metadata?: { httpStatusCode?: number } }) => String(error.$metadata?.httpStatusCode),
      )
    expect(await status({ IfNoneMatch: ETag })).toBe('304')
    expect(await status({ IfModifiedSince: later })).toBe('304')
    expect(await status({ IfModifiedSince: earlier })).toBe('200 v1')
    expect(await status({ IfUnmodifiedSince: earlier })).toBe('412')
    expect(await status({ IfMatch: '"not-the-etag"' })).toBe('412')
    const overridden = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: 'k',
        ResponseContentType: 'text/csv',
        ResponseCacheControl: 'no-store',
      }),
    )
    expect([overridden.ContentType, overridden.CacheControl]).toEqual(['text/csv', 'no-store'])
    await overridden.Body?.transformToString()
    expect(
      await codeOf(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v2', IfMatch: '"other"' })),
      ),
    ).toBe('PreconditionFailed')
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v2', IfMatch: ETag }))
    expect((await read(s3, bucket, 'k')).toString()).toBe('v2')
    expect(await codeOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', PartNumber: 1 })))).toBe(
      'NotImplemented',
    )
  })

  test('CreateBucket of an owned bucket: 200 in us-east-1, BucketAlreadyOwnedByYou elsewhere', async () => {
    const bucket = await freshBucket()
    const again = await s3.send(new CreateBucketCommand({ Bucket: bucket }))
    expect(again.$metadata.httpStatusCode).toBe(200)
    expect(
      await codeOf(
        s3.send(
          new CreateBucketCommand({
            Bucket: 'elsewhere',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        ),
      ),
    ).toBe('IllegalLocationConstraintException')
    const europe = await startS3Emulator({ credentials: [KEYS], region: 'eu-west-1' })
    const client = s3Client({ ...found, endpoint: europe.url, region: 'eu-west-1' })
    try {
      const create = () =>
        client.send(
          new CreateBucketCommand({
            Bucket: 'in-europe',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        )
      await create()
      expect(await codeOf(create())).toBe('BucketAlreadyOwnedByYou')
    } finally {
      client.destroy()
      await europe.close()
    }
  })

  test('a Signature Version 2 presigned URL is refused, naming SigV2 and SigV4', async () => {
    const response = await fetch(
      `${emulator.url}/any/key?AWSAccessKeyId=${KEYS.accessKeyId}&Expires=9999999999&Signature=abc%3D`,
    )
    expect(response.status).toBe(501)
    const body = await response.text()
    expect(body).toContain('<Code>NotImplemented</Code>')
    expect(body).toContain('does not implement Signature Version 2')
    expect(body).toContain('sign with Signature Version 4 (AWS4-HMAC-SHA256)')
  })

  test('virtual-hosted-style addressing is refused by name, not answered by path', async () => {
    const bucket = await freshBucket()
    const { port } = new URL(emulator.url)
    const advice = (host: string) =>
      `Testbed's S3 emulator does not implement virtual-hosted-style addressing (the bucket in Host: ${bucket}.${host}); ` +
      `address buckets path-style, http://${host}/${bucket}/<key> (forcePathStyle: true in the AWS SDK)`
    // The SDK puts the bucket in the host for a named endpoint. <bucket>.localhost does not resolve
    // here, so the client's agent connects every host to loopback.
    const lookup = ((_host, options, callback) => dnsLookup('127.0.0.1', options, callback)) as LookupFunction
    const virtualHosted = s3Client(
      { ...found, endpoint: `http://localhost:${port}` },
      { forcePathStyle: false, requestHandler: { httpAgent: new Agent({ lookup }) } },
    )
    try {
      const error = await virtualHosted
        .send(new ListObjectsV2Command({ Bucket: bucket }))
        .catch((e: Error) => e)
      expect(error).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } })
      expect((error as Error).message).toBe(advice(`localhost:${port}`))
    } finally {
      virtualHosted.destroy()
    }
    // A bucket in front of an IP address is the same addressing.
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/', headers: { host: `${bucket}.127.0.0.1:${port}` } },
        (res) => {
          let body = ''
          res.on('data', (chunk) => {
            body += chunk
          })
          res.on('end', () => resolve({ status: res.statusCode, body }))
        },
      )
      req.on('error', reject)
      req.end()
    })
    expect(answer.status).toBe(501)
    expect(answer.body).toContain('<Code>NotImplemented</Code>')
    expect(answer.body).toContain(
      `(the bucket in Host: ${bucket}.127.0.0.1:${port}); address buckets path-style, http://127.0.0.1:${port}/${bucket}/&lt;key&gt;`,
    )
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
