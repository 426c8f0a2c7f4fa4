import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3'

/** Creates the bucket; one that exists already and is ours is fine (provisioning twice changes nothing). */
export async function ensureBucket(client: S3Client, name: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }))
  } catch (error) {
    const { name: code, message } = error as Error
    if (code === 'BucketAlreadyOwnedByYou') return
    throw new Error(`bucket "${name}": ${code}: ${message}`)
  }
}

/** Deletes every object and unfinished multipart upload in the bucket, then the bucket. */
export async function deleteBucket(client: S3Client, name: string): Promise<void> {
  for (let token: string | undefined, more = true; more; ) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: name, ContinuationToken: token }))
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key as string }))
    if (keys.length)
      await client.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: keys, Quiet: true } }))
    token = page.NextContinuationToken
    more = Boolean(page.IsTruncated && token)
  }
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: name }))
  for (const upload of uploads.Uploads ?? [])
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: name, Key: upload.Key, UploadId: upload.UploadId }),
    )
  await client.send(new DeleteBucketCommand({ Bucket: name }))
}

/** Per-test buckets of a run are named `testbed-<run>-…`; what is left of them is deleted at its end. */
export function runBucketPrefix(run: string): string {
  return `testbed-${run}-`
}

export async function deleteBucketsWithPrefix(client: S3Client, prefix: string): Promise<void> {
  const { Buckets = [] } = await client.send(new ListBucketsCommand({}))
  for (const { Name } of Buckets)
    if (Name?.startsWith(prefix)) await deleteBucket(client, Name).catch(() => {})
}
