// The `x-amz-*` request headers the emulator acts on. Any other is refused by name: a header it
// ignored would let a test pass here that fails against S3.
import type { IncomingHttpHeaders } from 'node:http'
import { checkAcl } from './access-control.js'
import { checkEncryption } from './encryption.js'
import { notImplemented, S3Error } from './s3-error.js'

const HANDLED = new Set([
  // signing and framing
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'x-amz-sdk-checksum-algorithm',
  // signed like any header, never checked: the emulator issues no temporary credentials
  'x-amz-security-token',
  'x-amz-user-agent',
  // S3 accepts it on every bucket; nobody pays here
  'x-amz-request-payer',
  'x-amz-acl',
  'x-amz-object-ownership',
  'x-amz-server-side-encryption',
  'x-amz-storage-class',
  'x-amz-tagging',
  'x-amz-tagging-directive',
  'x-amz-metadata-directive',
  'x-amz-website-redirect-location',
  'x-amz-copy-source',
  'x-amz-copy-source-range',
  'x-amz-copy-source-if-match',
  'x-amz-copy-source-if-none-match',
  'x-amz-copy-source-if-modified-since',
  'x-amz-copy-source-if-unmodified-since',
])
const HANDLED_PREFIXES = ['x-amz-meta-', 'x-amz-checksum-']

/** Query parameters of a presigned URL's own signature; other `X-Amz-*` ones stand for headers. */
const SIGNATURE_PARAMETERS = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'x-amz-user-agent',
])

/** A presigner may hoist headers into the query (`X-Amz-Storage-Class=…`); S3 reads them as headers. */
export function withHoistedHeaders(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): IncomingHttpHeaders {
  const hoisted: IncomingHttpHeaders = {}
  for (const [name, value] of query) {
    const lower = name.toLowerCase()
    if (lower.startsWith('x-amz-') && !SIGNATURE_PARAMETERS.has(lower)) hoisted[lower] = value
  }
  return { ...hoisted, ...headers }
}

export function checkRequestHeaders(headers: IncomingHttpHeaders): void {
  checkAcl(headers)
  checkEncryption(headers)
  for (const name of Object.keys(headers)) {
    if (!name.startsWith('x-amz-') || HANDLED.has(name) || HANDLED_PREFIXES.some((p) => name.startsWith(p)))
      continue
    if (name.startsWith('x-amz-object-lock-'))
      throw new S3Error('InvalidRequest', 400, `Bucket is missing Object Lock Configuration (${name})`)
    throw notImplemented(`the request header ${name}`)
  }
}
