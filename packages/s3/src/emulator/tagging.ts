// Tags of objects (`x-amz-tagging` at upload, `?tagging` after, `x-amz-tagging-count` on GET and HEAD)
// and of buckets (`?tagging`; none put yet is S3's NoSuchTagSet), with S3's limits.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
import type { IncomingHttpHeaders } from 'node:http'
import { emptyResponse, header, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { noSuchKey, S3Error } from './s3-error.js'
import { elementText, parseXml } from './xml.js'

/** Key → value, in the order given. */
export type Tags = Map<string, string>

const OBJECT_TAGS = 10
const BUCKET_TAGS = 50
const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

const invalidTag = (message: string, tag?: string) =>
  new S3Error('InvalidTag', 400, message, tag === undefined ? {} : { TagKey: tag })

function checked(pairs: [string, string][], limit: number, what: 'Object' | 'Bucket'): Tags {
  if (pairs.length > limit) throw invalidTag(`${what} tags cannot be greater than ${limit}`)
  const tags: Tags = new Map()
  for (const [key, value] of pairs) {
    if (tags.has(key)) throw invalidTag('Cannot provide multiple Tags with the same key', key)
    if (key.length === 0 || [...key].length > 128)
      throw invalidTag('The TagKey you have provided is invalid: 1 to 128 characters', key)
    if ([...value].length > 256) throw invalidTag('The TagValue you have provided is too long, max 256', key)
    if (!ALLOWED.test(key) || !ALLOWED.test(value))
      throw invalidTag(
        'The TagKey or TagValue you have provided is invalid: letters, digits, spaces and _ . : / = + - @ only',
        key,
      )
    if (key.toLowerCase().startsWith('aws:'))
      throw invalidTag('Your TagKey cannot be prefixed with aws:', key)
    tags.set(key, value)
  }
  return tags
}

/** `x-amz-tagging: k1=v1&k2=v2`, URL-encoded as a query. */
export function tagsOfHeader(headers: IncomingHttpHeaders): Tags {
  const value = header(headers, 'x-amz-tagging')
  if (value === undefined) return new Map()
  return checked([...new URLSearchParams(value)], OBJECT_TAGS, 'Object')
}

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
