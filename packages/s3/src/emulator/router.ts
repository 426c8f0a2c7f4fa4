// From a request to an operation, as S3 routes path-style requests: by method, by whether a key is
// named, and by subresource (?uploads, ?delete, ?location, …). Anything else is NotImplemented, by name
// (virtual-hosted-style addressing too), and so is every `x-amz-*` header the emulator does not act on
// (request-headers.ts).
import { randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { getAcl, putAcl } from './access-control.js'
import { checkBucketName } from './bucket-name.js'
import {
  bucketLocation,
  bucketVersioning,
  createBucket,
  deleteBucket,
  headBucket,
  listBuckets,
} from './bucket-operations.js'
import { getBucketEncryption } from './encryption.js'
import { header, type S3Request, type S3Response } from './exchange.js'
import { listObjects, listObjectsV2 } from './listing.js'
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './multipart-operations.js'
import {
  copyObject,
  deleteObject,
  deleteObjects,
  getObject,
  headObject,
  putObject,
} from './object-operations.js'
import { readPayload } from './payload.js'
import { checkRequestHeaders, withHoistedHeaders } from './request-headers.js'
import { notImplemented, S3Error } from './s3-error.js'
import { verifySignature } from './signature-v4.js'
import { Store } from './store.js'
import {
  deleteBucketTagging,
  deleteObjectTagging,
  getBucketTagging,
  getObjectTagging,
  putBucketTagging,
  putObjectTagging,
} from './tagging.js'
import { xmlDocument } from './xml.js'

export interface RawRequest {
  method: string
  /** The request target as sent: `/<bucket>/<key>?<query>`. */
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
}

export interface S3HandlerOptions {
  /** The key pairs the emulator accepts; requests signed with anything else are refused. */
  credentials: S3Credentials[]
  /** The region the emulator says it is in. Default `us-east-1`. */
  region?: string
  /** Buckets that exist from the start. */
  buckets?: string[]
  /** The clock signatures are checked against (15 minutes of skew allowed). Default `Date.now`. */
  now?: () => number
}

export type S3Handler = (request: RawRequest) => S3Response

/** Query parameters that are arguments of an operation, not a subresource that selects another one. */
const ARGUMENTS = new Set([
  'prefix',
  'delimiter',
  'max-keys',
  'marker',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'list-type',
  'x-id',
  'partNumber',
  'uploadId',
  'max-uploads',
  'key-marker',
  'upload-id-marker',
  'max-parts',
  'part-number-marker',
  // GetObject's answer headers
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
])

function subresource(query: URLSearchParams, handled: string[] = []): string | undefined {
  for (const name of query.keys())
    if (
      !ARGUMENTS.has(name) &&
      !handled.includes(name) &&
      // hoisted headers (checked as headers) and a presigned URL's signature
      !name.toLowerCase().startsWith('x-amz-')
    )
      return name
  return undefined
}

type Operation = (request: S3Request) => S3Response

function route(request: S3Request): Operation {
  const { method, bucket, key, query } = request
  const unknown = (handled?: string[]) => {
    const name = subresource(query, handled)
    return name === undefined
      ? undefined
      : () => {
          throw notImplemented(`${method} ?${name}`)
        }
  }
  const refuse = () => () => {
    throw notImplemented(`${method} on ${key ? 'an object' : bucket ? 'a bucket' : 'the service'}`)
  }
  if (!bucket) return method === 'GET' ? listBuckets : refuse()
  if (!key) {
    switch (method) {
      case 'PUT':
        if (query.has('tagging')) return putBucketTagging
        if (query.has('acl')) return putAcl
        return unknown() ?? createBucket
      case 'HEAD':
        return headBucket
      case 'DELETE':
        if (query.has('tagging')) return deleteBucketTagging
        return unknown() ?? deleteBucket
      case 'GET':
        if (query.has('location')) return bucketLocation
        if (query.has('uploads')) return unknown(['uploads']) ?? listMultipartUploads
        if (query.has('versioning')) return bucketVersioning
        if (query.has('tagging')) return getBucketTagging
        if (query.has('acl')) return getAcl
        if (query.has('encryption')) return getBucketEncryption
        return unknown() ?? (query.get('list-type') === '2' ? listObjectsV2 : listObjects)
      case 'POST':
        return query.has('delete') ? deleteObjects : refuse()
      default:
        return refuse()
    }
  }
  const copy = header(request.headers, 'x-amz-copy-source')
  switch (method) {
    case 'PUT':
      if (query.has('uploadId')) return copy ? (r) => uploadPartCopy(r, copy) : uploadPart
      if (query.has('tagging')) return putObjectTagging
      if (query.has('acl')) return putAcl
      return unknown() ?? (copy ? (r) => copyObject(r, copy) : putObject)
    case 'GET':
      if (query.has('uploadId')) return listParts
      if (query.has('tagging')) return getObjectTagging
      if (query.has('acl')) return getAcl
      return unknown() ?? getObject
    case 'HEAD':
      return unknown() ?? headObject
    case 'DELETE':
      if (query.has('uploadId')) return abortMultipartUpload
      if (query.has('tagging')) return deleteObjectTagging
      return unknown() ?? deleteObject
    case 'POST':
      if (query.has('uploads')) return createMultipartUpload
      if (query.has('uploadId')) return completeMultipartUpload
      return refuse()
    default:
      return refuse()
  }
}

/**
 * A virtual-hosted-style request names its bucket in the Host (`<bucket>.localhost:9000`,
 * `<bucket>.127.0.0.1:9000`). The emulator answers path-style only, and routing such a request by its
 * path would answer for another resource (`GET /` would list the buckets), so it is refused by name.
 */
function refuseVirtualHosted(headers: IncomingHttpHeaders): void {
  const host = header(headers, 'host') ?? ''
  const bucket = /^(.+)\.(localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/i.exec(host)?.[1]
  if (bucket === undefined) return
  const endpoint = host.slice(bucket.length + 1)
  throw notImplemented(
    `virtual-hosted-style addressing (the bucket in Host: ${host}); address buckets path-style, ` +
      `http://${endpoint}/${bucket}/<key> (forcePathStyle: true in the AWS SDK)`,
  )
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    throw new S3Error('InvalidURI', 400, `Couldn't parse the specified URI: ${path}`)
  }
}

function errorResponse(error: S3Error, resource: string, requestId: string, method: string): S3Response {
  const body = xmlDocument(
    'Error',
    { Code: error.code, Message: error.message, ...error.details, Resource: resource, RequestId: requestId },
    false,
  )
  // HEAD answers carry no body: the status says it all.
  return {
    status: error.status,
    headers: { 'content-type': 'application/xml' },
    body: method === 'HEAD' ? Buffer.alloc(0) : body,
  }
}

/** S3's API over an in-memory store: the whole emulator but the HTTP server. */
export function createS3Handler(options: S3HandlerOptions): S3Handler {
  const store = new Store()
  for (const name of options.buckets ?? []) {
    checkBucketName(name)
    store.addBucket(name)
  }
  const now = options.now ?? Date.now
  const secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]))
  const region = options.region ?? 'us-east-1'
  return (raw) => {
    const requestId = randomBytes(8).toString('hex').toUpperCase()
    const questionMark = raw.url.indexOf('?')
    const path = questionMark < 0 ? raw.url : raw.url.slice(0, questionMark)
    const rawQuery = questionMark < 0 ? '' : raw.url.slice(questionMark + 1)
    let response: S3Response
    try {
      refuseVirtualHosted(raw.headers)
      const signer = verifySignature(
        { method: raw.method, path, query: rawQuery, headers: raw.headers },
        secrets,
        now(),
      )
      const target = path.replace(/^\//, '')
      const slash = target.indexOf('/')
      const bucket = decodePath(slash < 0 ? target : target.slice(0, slash))
      const key = slash < 0 ? '' : decodePath(target.slice(slash + 1))
      const query = new URLSearchParams(rawQuery)
      const headers = withHoistedHeaders(raw.headers, query)
      checkRequestHeaders(headers)
      const request: S3Request = {
        method: raw.method,
        bucket,
        key,
        query,
        headers,
        payload: () => readPayload(raw.body, raw.headers, signer),
        store,
        region,
      }
      response = route(request)(request)
    } catch (error) {
      if (!(error instanceof S3Error)) throw error
      response = errorResponse(error, decodePath(path), requestId, raw.method)
    }
    response.headers['x-amz-request-id'] = requestId
    return response
  }
}
