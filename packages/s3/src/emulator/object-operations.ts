import { md5Hex, verifyChecksum } from './checksums.js'
import { emptyResponse, header, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { invalidArgument, noSuchKey, S3Error } from './s3-error.js'
import { attributesOf, type ObjectChecksum, type StoredObject } from './store.js'
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
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  }
}

export function putObject(request: S3Request): S3Response {
  const { store, bucket, key, headers } = request
  const objects = store.bucket(bucket).objects
  if (header(headers, 'if-none-match') === '*' && objects.has(key))
    throw new S3Error(
      'PreconditionFailed',
      412,
      'At least one of the pre-conditions you specified did not hold',
      {
        Condition: 'If-None-Match',
      },
    )
  const { data, checksum: declared } = request.payload()
  verifyChecksum(declared, data)
  const checksum = declared && { ...declared, type: 'FULL_OBJECT' as const }
  const etag = `"${md5Hex(data)}"`
  objects.set(key, { ...attributesOf(headers), data, etag, lastModified: new Date(), checksum })
  return emptyResponse(200, { etag, ...checksumHeaders(checksum) })
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

function readObject(request: S3Request, withBody: boolean): S3Response {
  const { store, bucket, key, headers } = request
  const found = store.bucket(bucket).objects.get(key)
  if (!found) throw noSuchKey(key)
  const ifMatch = header(headers, 'if-match')
  if (ifMatch !== undefined && ifMatch !== found.etag && ifMatch !== '*')
    throw new S3Error(
      'PreconditionFailed',
      412,
      'At least one of the pre-conditions you specified did not hold',
      {
        Condition: 'If-Match',
      },
    )
  if (header(headers, 'if-none-match') === found.etag) return emptyResponse(304, { etag: found.etag })
  const range = byteRange(header(headers, 'range'), found.data.length)
  const body = range ? found.data.subarray(range[0], range[1] + 1) : found.data
  const wantsChecksum = header(headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED'
  return {
    status: range ? 206 : 200,
    headers: {
      ...objectHeaders(found),
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

export function deleteObject({ store, bucket, key }: S3Request): S3Response {
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

/** `x-amz-copy-source`: `[/]<bucket>/<key>`, percent-encoded. */
function copySource(value: string): [bucket: string, key: string] {
  const decoded = decodeURIComponent(value.split('?')[0] ?? '').replace(/^\//, '')
  const slash = decoded.indexOf('/')
  if (slash <= 0 || slash === decoded.length - 1)
    throw invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      value,
    )
  return [decoded.slice(0, slash), decoded.slice(slash + 1)]
}

export function copyObject(request: S3Request, source: string): S3Response {
  const { store, bucket, key, headers } = request
  const [fromBucket, fromKey] = copySource(source)
  const from = store.bucket(fromBucket).objects.get(fromKey)
  if (!from) throw noSuchKey(fromKey)
  const target = store.bucket(bucket)
  const replace = header(headers, 'x-amz-metadata-directive') === 'REPLACE'
  if (fromBucket === bucket && fromKey === key && !replace)
    throw new S3Error(
      'InvalidRequest',
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    )
  const attributes = replace ? attributesOf(headers) : { headers: from.headers, metadata: from.metadata }
  const copy: StoredObject = { ...from, ...attributes, lastModified: new Date() }
  target.objects.set(key, copy)
  return xmlResponse('CopyObjectResult', { ETag: copy.etag, LastModified: copy.lastModified.toISOString() })
}
