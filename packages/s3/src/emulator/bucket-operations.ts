import { OWNER } from './access-control.js'
import { checkBucketName } from './bucket-name.js'
import { emptyResponse, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { notImplemented, S3Error } from './s3-error.js'
import { elementText, parseXml } from './xml.js'

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

/**
 * `CreateBucketConfiguration`'s LocationConstraint must be the endpoint's region, and is left out in
 * us-east-1, as S3 wants it.
 */
function checkLocationConstraint(request: S3Request): void {
  const body = request.payload().data
  const document = body.length ? parseXml(body, 'CreateBucketConfiguration') : {}
  const other = Object.keys(document).find((name) => name !== 'LocationConstraint' && !name.startsWith('@_'))
  if (other) throw notImplemented(`CreateBucketConfiguration's ${other}`)
  const constraint =
    document.LocationConstraint === undefined ? undefined : elementText(document.LocationConstraint)
  if (request.region === 'us-east-1') {
    if (constraint === 'us-east-1')
      throw new S3Error('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid', {
        LocationConstraint: constraint,
      })
    if (constraint === undefined || constraint === '') return
  }
  if (constraint !== request.region)
    throw new S3Error(
      'IllegalLocationConstraintException',
      400,
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    )
}

export function createBucket(request: S3Request): S3Response {
  const { store, bucket, region } = request
  checkBucketName(bucket)
  checkLocationConstraint(request)
  // us-east-1 answers a repeated create of one's own bucket with success; other regions refuse it.
  if (store.buckets.has(bucket) && region === 'us-east-1')
    return emptyResponse(200, { location: `/${bucket}` })
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

/** A bucket whose versioning was never configured: an empty configuration, as S3 answers. */
export function bucketVersioning({ store, bucket }: S3Request): S3Response {
  store.bucket(bucket)
  return xmlResponse('VersioningConfiguration', {})
}
