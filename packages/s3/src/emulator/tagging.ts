// Tags of objects (`x-amz-tagging` at upload, `?tagging` after, `x-amz-tagging-count` on GET and HEAD)
// and of buckets (`?tagging`; none put yet is S3's NoSuchTagSet), with S3's limits.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
import { emptyResponse, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { noSuchKey, S3Error } from './s3-error.js'
import { BUCKET_TAGS, checked, OBJECT_TAGS, type Tags } from './tag-rules.js'
import { elementText, parseXml } from './xml.js'

function tagsOfBody(request: S3Request, limit: number, what: 'Object' | 'Bucket'): Tags {
  const document = parseXml(request.payload().data, 'Tagging')
  const tagSet = document.TagSet
  if (tagSet === undefined) throw new S3Error('MalformedXML', 400, 'The Tagging document has no TagSet')
  const entries =
    typeof tagSet === 'object' ? ((tagSet as { Tag?: Record<string, unknown>[] }).Tag ?? []) : []
  return checked(
    entries.map((tag) => [elementText(tag.Key), elementText(tag.Value)]),
    limit,
    what,
  )
}

function taggingDocument(tags: Tags): S3Response {
  return xmlResponse('Tagging', {
    TagSet: { Tag: [...tags].map(([Key, Value]) => ({ Key, Value })) },
  })
}

export function tagCountHeaders(tags: Tags): Record<string, string> {
  return tags.size ? { 'x-amz-tagging-count': String(tags.size) } : {}
}

function storedObject({ store, bucket, key }: S3Request) {
  const found = store.bucket(bucket).objects.get(key)
  if (!found) throw noSuchKey(key)
  return found
}

export const getObjectTagging = (request: S3Request) => taggingDocument(storedObject(request).tags)

export function putObjectTagging(request: S3Request): S3Response {
  const found = storedObject(request)
  found.tags = tagsOfBody(request, OBJECT_TAGS, 'Object')
  return emptyResponse(200)
}

export function deleteObjectTagging(request: S3Request): S3Response {
  storedObject(request).tags = new Map()
  return emptyResponse(204)
}

export function getBucketTagging({ store, bucket }: S3Request): S3Response {
  const tags = store.bucket(bucket).tags
  if (!tags) throw new S3Error('NoSuchTagSet', 404, 'The TagSet does not exist', { BucketName: bucket })
  return taggingDocument(tags)
}

export function putBucketTagging(request: S3Request): S3Response {
  const found = request.store.bucket(request.bucket)
  found.tags = tagsOfBody(request, BUCKET_TAGS, 'Bucket')
  return emptyResponse(204)
}

export function deleteBucketTagging({ store, bucket }: S3Request): S3Response {
  delete store.bucket(bucket).tags
  return emptyResponse(204)
}
