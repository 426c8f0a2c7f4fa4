// `x-amz-copy-source` of CopyObject and UploadPartCopy: the source object, its conditions, and for a
// part the `x-amz-copy-source-range` of its bytes.
import type { IncomingHttpHeaders } from 'node:http'
import { header } from './exchange.js'
import { copySourceConditions } from './preconditions.js'
import { invalidArgument, noSuchKey, notImplemented } from './s3-error.js'
import { refuseArchived } from './storage-class.js'
import type { Store, StoredObject } from './store.js'

export interface CopySource {
  bucket: string
  key: string
  object: StoredObject
}

/** `[/]<bucket>/<key>`, percent-encoded; a `?versionId=` names a version, which the emulator has not. */
export function copySource(store: Store, headers: IncomingHttpHeaders, value: string): CopySource {
  const [path = '', query] = value.split('?')
  if (query !== undefined) throw notImplemented(`a copy source with a query (?${query}): versions`)
  let decoded: string
  try {
    decoded = decodeURIComponent(path).replace(/^\//, '')
  } catch {
    throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', value)
  }
  const slash = decoded.indexOf('/')
  if (slash <= 0 || slash === decoded.length - 1)
    throw invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      value,
    )
  const [bucket, key] = [decoded.slice(0, slash), decoded.slice(slash + 1)]
  const object = store.bucket(bucket).objects.get(key)
  if (!object) throw noSuchKey(key)
  refuseArchived(object.storageClass)
  copySourceConditions(headers, object)
  return { bucket, key, object }
}

/** The bytes `x-amz-copy-source-range: bytes=first-last` names, or all of them. */
export function copySourceBytes(headers: IncomingHttpHeaders, source: CopySource): Buffer {
  const data = source.object.data
  const range = header(headers, 'x-amz-copy-source-range')
  if (range === undefined) return data
  const match = /^bytes=(\d+)-(\d+)$/.exec(range.trim())
  if (!match)
    throw invalidArgument(
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      'x-amz-copy-source-range',
      range,
    )
  const [first, last] = [Number(match[1]), Number(match[2])]
  if (first > last || last >= data.length)
    throw invalidArgument(
      `Range specified is not valid for source object of size: ${data.length}`,
      'x-amz-copy-source-range',
      range,
    )
  return data.subarray(first, last + 1)
}
