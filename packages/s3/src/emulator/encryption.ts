// Server-side encryption as S3 does it by default since January 2023: every object SSE-S3 (AES256),
// said on every write and read. `x-amz-server-side-encryption: AES256` is that; SSE-KMS and SSE-C
// need keys the emulator does not have, and are NotImplemented by name.
import type { IncomingHttpHeaders } from 'node:http'
import { header, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { invalidArgument, notImplemented } from './s3-error.js'

export const ENCRYPTION_HEADERS = { 'x-amz-server-side-encryption': 'AES256' }

export function checkEncryption(headers: IncomingHttpHeaders): void {
  const asked = header(headers, 'x-amz-server-side-encryption')
  if (asked?.startsWith('aws:kms'))
    throw notImplemented(`SSE-KMS (x-amz-server-side-encryption: ${asked}); only AES256 (SSE-S3) is`)
  if (asked !== undefined && asked !== 'AES256')
    throw invalidArgument(
      'The encryption method specified is not supported',
      'x-amz-server-side-encryption',
      asked,
    )
  for (const name of Object.keys(headers)) {
    if (/^x-amz-(copy-source-)?server-side-encryption-customer-/.test(name))
      throw notImplemented(`SSE-C (${name}); only AES256 (SSE-S3) is`)
    if (name.startsWith('x-amz-server-side-encryption-'))
      throw notImplemented(`${name} (SSE-KMS); only AES256 (SSE-S3) is`)
  }
}

export function getBucketEncryption({ store, bucket }: S3Request): S3Response {
  store.bucket(bucket)
  return xmlResponse('ServerSideEncryptionConfiguration', {
    Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
  })
}
