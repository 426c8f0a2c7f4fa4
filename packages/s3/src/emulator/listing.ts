// ListObjectsV2 and ListObjects: keys in UTF-8 byte order, prefix, delimiter (common prefixes), pages.
import { OWNER } from './access-control.js'
import { type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { invalidArgument } from './s3-error.js'
import type { StoredObject } from './store.js'

interface Page {
  contents: [string, StoredObject][]
  commonPrefixes: string[]
  truncated: boolean
  /** The last key or common prefix of the page: where the next one starts after. */
  last?: string
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

function maxKeys(query: URLSearchParams): number {
  const text = query.get('max-keys') ?? '1000'
  const value = Number(text)
  if (!/^\d+$/.test(text))
    throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', text)
  return Math.min(value, 1000)
}

function page(
  objects: Map<string, StoredObject>,
  prefix: string,
  delimiter: string,
  after: string,
  limit: number,
): Page {
  const result: Page = { contents: [], commonPrefixes: [], truncated: false }
  const keys = [...objects.keys()]
    .filter((k) => k.startsWith(prefix) && byteOrder(k, after) > 0)
    .sort(byteOrder)
  for (const key of keys) {
    // A page that ended on a common prefix skips the rest of its keys.
    if (delimiter && after.endsWith(delimiter) && key.startsWith(after)) continue
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1
    const common = cut >= 0 ? key.slice(0, cut + delimiter.length) : undefined
    if (common !== undefined && common === result.commonPrefixes.at(-1)) continue
    if (result.contents.length + result.commonPrefixes.length >= limit) {
      result.truncated = true
      break
    }
    if (common !== undefined) result.commonPrefixes.push(common)
    else result.contents.push([key, objects.get(key) as StoredObject])
    result.last = common ?? key
  }
  return result
}

function encoder(query: URLSearchParams): (text: string) => string {
  return query.get('encoding-type') === 'url'
    ? (text) => encodeURIComponent(text).replace(/%2F/g, '/')
    : (text) => text
}

function entries(found: Page, encode: (text: string) => string, withOwner: boolean) {
  return {
    Contents: found.contents.map(([key, o]) => ({
      Key: encode(key),
      LastModified: o.lastModified.toISOString(),
      ETag: o.etag,
      Size: o.data.length,
      StorageClass: o.storageClass,
      ...(withOwner ? { Owner: OWNER } : {}),
      ...(o.checksum ? { ChecksumAlgorithm: o.checksum.algorithm.toUpperCase() } : {}),
    })),
    CommonPrefixes: found.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  }
}

/** What both versions of the listing read from the request: the page of keys after `after`. */
function listing({ store, bucket, query }: S3Request, after: string) {
  const objects = store.bucket(bucket).objects
  const prefix = query.get('prefix') ?? ''
  const delimiter = query.get('delimiter') ?? ''
  const limit = maxKeys(query)
  return {
    prefix,
    delimiter,
    limit,
    found: page(objects, prefix, delimiter, after, limit),
    encode: encoder(query),
  }
}

export function listObjectsV2(request: S3Request): S3Response {
  const { bucket, query } = request
  const token = query.get('continuation-token')
  const after = token !== null ? Buffer.from(token, 'base64url').toString() : (query.get('start-after') ?? '')
  const { prefix, delimiter, limit, found, encode } = listing(request, after)
  return xmlResponse('ListBucketResult', {
    Name: bucket,
    Prefix: encode(prefix),
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    MaxKeys: limit,
    KeyCount: found.contents.length + found.commonPrefixes.length,
    IsTruncated: found.truncated,
    ...(token !== null ? { ContinuationToken: token } : {}),
    ...(found.truncated && found.last !== undefined
      ? { NextContinuationToken: Buffer.from(found.last).toString('base64url') }
      : {}),
    ...(query.has('start-after') ? { StartAfter: encode(query.get('start-after') ?? '') } : {}),
    ...(query.get('encoding-type') === 'url' ? { EncodingType: 'url' } : {}),
    ...entries(found, encode, query.get('fetch-owner') === 'true'),
  })
}

export function listObjects(request: S3Request): S3Response {
  const { bucket, query } = request
  const marker = query.get('marker') ?? ''
  const { prefix, delimiter, limit, found, encode } = listing(request, marker)
  return xmlResponse('ListBucketResult', {
    Name: bucket,
    Prefix: encode(prefix),
    Marker: encode(marker),
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    MaxKeys: limit,
    IsTruncated: found.truncated,
    ...(found.truncated && delimiter && found.last !== undefined ? { NextMarker: encode(found.last) } : {}),
    ...(query.get('encoding-type') === 'url' ? { EncodingType: 'url' } : {}),
    ...entries(found, encode, true),
  })
}
