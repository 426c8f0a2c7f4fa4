// Conditional requests, in S3's order: If-Match, then If-Unmodified-Since, fail with 412; If-None-Match,
// then If-Modified-Since, make a read 304. The `x-amz-copy-source-if-*` headers test a copy's source,
// and there every unmet condition is 412.
import type { IncomingHttpHeaders } from 'node:http'
import { header } from './exchange.js'
import { S3Error } from './s3-error.js'
import type { StoredObject } from './store.js'

const preconditionFailed = (condition: string) =>
  new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', {
    Condition: condition,
  })

function matches(list: string, etag: string): boolean {
  return list.split(',').some((tag) => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed === etag || `"${trimmed}"` === etag
  })
}

/** HTTP dates have whole seconds. */
function modifiedSince(o: StoredObject, date: string): boolean | undefined {
  const since = Date.parse(date)
  if (Number.isNaN(since)) return undefined // S3 ignores a date it cannot parse
  return Math.floor(o.lastModified.getTime() / 1000) * 1000 > since
}

/** 'not modified' when a read should answer 304; throws PreconditionFailed. */
function evaluate(
  headers: IncomingHttpHeaders,
  o: StoredObject,
  prefix: '' | 'x-amz-copy-source-',
): 'not modified' | undefined {
  const named = (condition: string) => `${prefix}${condition}`
  const ifMatch = header(headers, named('if-match'))
  if (ifMatch !== undefined && !matches(ifMatch, o.etag)) throw preconditionFailed(named('If-Match'))
  const ifUnmodified = header(headers, named('if-unmodified-since'))
  if (ifMatch === undefined && ifUnmodified !== undefined && modifiedSince(o, ifUnmodified) === true)
    throw preconditionFailed(named('If-Unmodified-Since'))
  const ifNoneMatch = header(headers, named('if-none-match'))
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, o.etag)) return 'not modified'
  const ifModified = header(headers, named('if-modified-since'))
  if (ifNoneMatch === undefined && ifModified !== undefined && modifiedSince(o, ifModified) === false)
    return 'not modified'
  return undefined
}

export function readConditions(headers: IncomingHttpHeaders, o: StoredObject): 'not modified' | undefined {
  return evaluate(headers, o, '')
}

export function copySourceConditions(headers: IncomingHttpHeaders, o: StoredObject): void {
  if (evaluate(headers, o, 'x-amz-copy-source-') === 'not modified')
    throw preconditionFailed(
      header(headers, 'x-amz-copy-source-if-none-match') !== undefined
        ? 'x-amz-copy-source-If-None-Match'
        : 'x-amz-copy-source-If-Modified-Since',
    )
}

/** Conditional writes: `If-None-Match: *` (only if absent) and `If-Match` (only if it is this one). */
export function writeConditions(
  headers: IncomingHttpHeaders,
  existing: StoredObject | undefined,
  key: string,
): void {
  const ifNoneMatch = header(headers, 'if-none-match')
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*')
    throw new S3Error(
      'NotImplemented',
      501,
      'A header you provided implies functionality that is not implemented: If-None-Match on a write takes only *',
      { Header: 'If-None-Match' },
    )
  if (ifNoneMatch === '*' && existing) throw preconditionFailed('If-None-Match')
  const ifMatch = header(headers, 'if-match')
  if (ifMatch === undefined) return
  if (!existing) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key })
  if (!matches(ifMatch, existing.etag)) throw preconditionFailed('If-Match')
}
