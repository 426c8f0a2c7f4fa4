import { md5Hex, verifyChecksum } from './checksums.js'
import { copySource } from './copy-source.js'
import { ENCRYPTION_HEADERS } from './encryption.js'
import { emptyResponse, header, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { readConditions, writeConditions } from './preconditions.js'
import { invalidArgument, noSuchKey, notImplemented, S3Error } from './s3-error.js'
import { refuseArchived, storageClassHeaders, storageClassOf } from './storage-class.js'
import { attributesOf, headersOf, type ObjectChecksum, type StoredObject } from './store.js'
import { tagsOfHeader } from './tag-rules.js'
import { tagCountHeaders } from './tagging.js'
import { elementText, parseXml } from './xml.js'

function checksumHeaders(checksum: ObjectChecksum | undefined): Record<string, string> {
  return checksum
    ? { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value, 'x-amz-checksum-type': checksum.type }
    : {}
}

function objectHeaders(o: StoredObject): Record<string, string> {
  return {
    ...o.headers,
    ...Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
    ...storageClassHeaders(o.storageClass),
    ...tagCountHeaders(o.tags),
    ...ENCRYPTION_HEADERS,
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  }
}

export function putObject(request: S3Request): S3Response {
  const { store, bucket, key, headers } = request
  const objects = store.bucket(bucket).objects
  writeConditions(headers, objects.get(key), key)
  const attributes = attributesOf(headers)
  const { data, checksum: declared } = request.payload()
  verifyChecksum(declared, data)
  const checksum = declared && { ...declared, type: 'FULL_OBJECT' as const }
  const etag = `"${md5Hex(data)}"`
  objects.set(key, { ...attributes, data, etag, lastModified: new Date(), checksum })
  return emptyResponse(200, { etag, ...checksumHeaders(checksum), ...ENCRYPTION_HEADERS })
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`: the one range S3 serves, or undefined for the whole object. */
function byteRange(range: string | undefined, size: number): [start: number, end: number] | undefined {
  if (!range) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim())
  if (!match || (!match[1] && !match[2])) return undefined // S3 ignores a Range it cannot parse
  const [, from = '', to = ''] = match
  const [start, end] = from
    ? [Number(from), to ? Math.min(Number(to), size - 1) : size - 1]
    : [Math.max(size - Number(to), 0), size - 1]
  if (start >= size || start > end)
    throw new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
      RangeRequested: range,
      ActualObjectSize: String(size),
    })
  return [start, end]
}

/** `?response-content-type=…` and the like: a GET's answer with these headers instead of the stored ones. */
const RESPONSE_OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
]

function responseOverrides(query: URLSearchParams): Record<string, string> {
  const overrides: Record<string, string> = {}
  for (const name of RESPONSE_OVERRIDES) {
    const value = query.get(`response-${name}`)
    if (value !== null) overrides[name] = value
  }
  return overrides
}

function readObject(request: S3Request, withBody: boolean): S3Response {
  const { store, bucket, key, headers, query } = request
  const found = store.bucket(bucket).objects.get(key)
  if (!found) throw noSuchKey(key)
  if (query.has('partNumber')) throw notImplemented(`${request.method} of an object with ?partNumber`)
  if (readConditions(headers, found) === 'not modified')
    return emptyResponse(304, { etag: found.etag, 'last-modified': found.lastModified.toUTCString() })
  if (withBody) refuseArchived(found.storageClass)
  const range = byteRange(header(headers, 'range'), found.data.length)
  const body = range ? found.data.subarray(range[0], range[1] + 1) : found.data
  const wantsChecksum = header(headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED'
  return {
    status: range ? 206 : 200,
    headers: {
      ...objectHeaders(found),
      ...responseOverrides(query),
      ...(range ? { 'content-range': `bytes ${range[0]}-${range[1]}/${found.data.length}` } : {}),
      ...(wantsChecksum && !range ? checksumHeaders(found.checksum) : {}),
      // HEAD answers with the length of what GET would send.
      ...(withBody ? {} : { 'content-length': String(body.length) }),
    },
    body: withBody ? body : Buffer.alloc(0),
  }
}

export const getObject = (request: S3Request) => readObject(request, true)
export const headObject = (request: S3Request) => readObject(request, false)

export function deleteObject({ store, bucket, key, headers }: S3Request): S3Response {
  if (headers['if-match'] !== undefined) throw notImplemented('DeleteObject with If-Match')
  store.bucket(bucket).objects.delete(key)
  return emptyResponse(204)
}

export function deleteObjects(request: S3Request): S3Response {
  const { store, bucket } = request
  const objects = store.bucket(bucket).objects
  const { data, checksum } = request.payload()
  verifyChecksum(checksum, data)
  const document = parseXml(data, 'Delete')
  const entries = (document.Object as Record<string, unknown>[] | undefined) ?? []
  if (entries.length > 1000)
    throw new S3Error('MalformedXML', 400, 'A Delete request names at most 1000 keys')
  const keys = entries.map((entry) => elementText(entry.Key))
  for (const key of keys) objects.delete(key)
  const quiet = elementText(document.Quiet).trim() === 'true'
  return xmlResponse('DeleteResult', { Deleted: quiet ? [] : keys.map((Key) => ({ Key })) })
}

/** `x-amz-metadata-directive`, `x-amz-tagging-directive`: COPY (the default) or REPLACE. */
function directive(request: S3Request, name: string, what: string): 'COPY' | 'REPLACE' {
  const value = header(request.headers, name) ?? 'COPY'
  if (value !== 'COPY' && value !== 'REPLACE')
    throw invalidArgument(`Unknown ${what} directive.`, name, value)
  return value
}

const REDIRECT = 'x-amz-website-redirect-location'

export function copyObject(request: S3Request, sourceHeader: string): S3Response {
  const { store, bucket, key, headers } = request
  const source = copySource(store, headers, sourceHeader)
  const from = source.object
  const target = store.bucket(bucket)
  const metadata = directive(request, 'x-amz-metadata-directive', 'metadata')
  const tagging = directive(request, 'x-amz-tagging-directive', 'tagging')
  const changes =
    metadata === 'REPLACE' ||
    [REDIRECT, 'x-amz-storage-class', 'x-amz-server-side-encryption'].some((h) => headers[h] !== undefined)
  if (source.bucket === bucket && source.key === key && !changes)
    throw new S3Error(
      'InvalidRequest',
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    )
  // The redirect location is each object's own: a copy has it only when the request names it.
  const copied =
    metadata === 'REPLACE'
      ? headersOf(headers)
      : {
          headers: {
            ...Object.fromEntries(Object.entries(from.headers).filter(([name]) => name !== REDIRECT)),
            ...(headers[REDIRECT] !== undefined ? { [REDIRECT]: String(headers[REDIRECT]) } : {}),
          },
          metadata: from.metadata,
        }
  const copy: StoredObject = {
    ...from,
    ...copied,
    storageClass: storageClassOf(headers),
    tags: tagging === 'REPLACE' ? tagsOfHeader(headers) : new Map(from.tags),
    lastModified: new Date(),
  }
  target.objects.set(key, copy)
  return {
    ...xmlResponse('CopyObjectResult', { ETag: copy.etag, LastModified: copy.lastModified.toISOString() }),
    headers: { 'content-type': 'application/xml', ...ENCRYPTION_HEADERS },
  }
}
