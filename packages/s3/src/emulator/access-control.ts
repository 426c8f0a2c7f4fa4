// ACLs as S3 treats them on new buckets (Object Ownership BucketOwnerEnforced, the default since
// April 2023): disabled. Requests may name no ACL, `private` or `bucket-owner-full-control`; any
// other ACL or grant is AccessControlListNotSupported; reading an ACL shows the owner's full control.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html
import type { IncomingHttpHeaders } from 'node:http'
import { header, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { noSuchKey, notImplemented, S3Error } from './s3-error.js'

export const OWNER = { ID: 'testbed', DisplayName: 'testbed' }

const ACCEPTED_ACLS = ['private', 'bucket-owner-full-control']

const aclsDisabled = (what: string) =>
  new S3Error('AccessControlListNotSupported', 400, `The bucket does not allow ACLs (${what})`)

export function checkAcl(headers: IncomingHttpHeaders): void {
  const acl = header(headers, 'x-amz-acl')
  if (acl !== undefined && !ACCEPTED_ACLS.includes(acl)) throw aclsDisabled(`x-amz-acl: ${acl}`)
  const grant = Object.keys(headers).find((name) => name.startsWith('x-amz-grant-'))
  if (grant) throw aclsDisabled(grant)
  const ownership = header(headers, 'x-amz-object-ownership')
  if (ownership !== undefined && ownership !== 'BucketOwnerEnforced')
    throw notImplemented(`x-amz-object-ownership: ${ownership} (only BucketOwnerEnforced, ACLs disabled)`)
}

export function getAcl({ store, bucket, key }: S3Request): S3Response {
  if (key && !store.bucket(bucket).objects.has(key)) throw noSuchKey(key)
  store.bucket(bucket)
  return xmlResponse('AccessControlPolicy', {
    Owner: OWNER,
    AccessControlList: {
      Grant: {
        Grantee: {
          '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
          '@_xsi:type': 'CanonicalUser',
          ...OWNER,
        },
        Permission: 'FULL_CONTROL',
      },
    },
  })
}

export function putAcl(): S3Response {
  throw aclsDisabled('PUT ?acl')
}
