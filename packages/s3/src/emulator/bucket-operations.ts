import { checkBucketName } from './bucket-name.js'
import { emptyResponse, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { S3Error } from './s3-error.js'

const OWNER = { ID: 'testbed', DisplayName: 'testbed' }

export function listBuckets({ store }: S3Request): S3Response {
  return xmlResponse('ListAllMyBucketsResult', {
    Owner: OWNER,
    Buckets: {
      Bucket: [...store.buckets.values()].map((b) => ({
        Name: b.name,
        CreationDate: b.created.toISOString(),
      })),
    },
  })
}

export function createBucket({ store, bucket }: S3Request): S3Response {
  checkBucketName(bucket)
  if (store.buckets.has(bucket))
    throw new S3Error(
      'BucketAlreadyOwnedByYou',
      409,
      'Your previous request to create the named bucket succeeded and you already own it.',
      { BucketName: bucket },
    )
  store.addBucket(bucket)
  return emptyResponse(200, { location: `/${bucket}` })
}

export function headBucket({ store, bucket, region }: S3Request): S3Response {
  store.bucket(bucket)
  return emptyResponse(200, { 'x-amz-bucket-region': region })
}

export function deleteBucket({ store, bucket }: S3Request): S3Response {
  const found = store.bucket(bucket)
  if (found.objects.size > 0)
    throw new S3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', {
      BucketName: bucket,
    })
  store.buckets.delete(bucket)
  return emptyResponse(204)
}

export function bucketLocation({ store, bucket, region }: S3Request): S3Response {
  store.bucket(bucket)
  return xmlResponse('LocationConstraint', region === 'us-east-1' ? {} : { '#text': region })
}
