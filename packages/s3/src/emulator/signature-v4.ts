// AWS Signature Version 4 as S3 checks it: from the Authorization header, or from a presigned URL's
// query. https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { S3Error } from './s3-error.js'

/** What a verified request carries on to its body: aws-chunked payloads sign each chunk with it. */
export interface Signer {
  accessKeyId: string
  /** `AWS4-HMAC-SHA256` date (`20261122T053244Z`). */
  amzDate: string
  /** `<date>/<region>/<service>/aws4_request` */
  scope: string
  signingKey: Buffer
  /** The request's own signature, the seed of a chunk-signature chain. */
  signature: string
  /** `x-amz-content-sha256`, or `UNSIGNED-PAYLOAD` for a presigned URL. */
  payloadHash: string
}

export interface SignedRequest {
  method: string
  /** The path as sent, percent-encoded. */
  path: string
  /** The query string as sent, without `?`. */
  query: string
  headers: IncomingHttpHeaders
}

const ALGORITHM = 'AWS4-HMAC-SHA256'
const MAX_SKEW_MS = 15 * 60 * 1000

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()

/** RFC 3986 encoding, as SigV4 wants: encodeURIComponent also leaves !'()* alone. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new S3Error('InvalidURI', 400, `Couldn't parse the specified URI: ${text}`)
  }
}

function canonicalPath(path: string): string {
  return path
    .split('/')
    .map((segment) => uriEncode(decode(segment)))
    .join('/')
}

function canonicalQuery(query: string, without?: string): string {
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const equals = pair.indexOf('=')
      const [key, value] = equals < 0 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)]
      return [uriEncode(decode(key)), uriEncode(decode(value))] as const
    })
    .filter(([key]) => key !== without)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name]
  if (value === undefined) throw new S3Error('AccessDenied', 403, `The signed header ${name} is missing`)
  return (Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ')
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request')
}

export function signatureOf(key: Buffer, stringToSign: string): string {
  return createHmac('sha256', key).update(stringToSign).digest('hex')
}

export function sameSignature(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

interface Claimed {
  /** `<access key id>/<date>/<region>/<service>/aws4_request` */
  credential: string
  amzDate: string
  /** The signed headers' names, `;`-separated. */
  signedHeaders: string
  signature: string
  payloadHash: string
  presigned: boolean
}

const signatureV2 = (how: string) =>
  new S3Error(
    'NotImplemented',
    501,
    `Testbed's S3 emulator does not implement Signature Version 2 (${how}): sign with Signature Version 4 (${ALGORITHM}), as S3 requires in every region opened since 2014`,
  )

function fromHeader(authorization: string, headers: IncomingHttpHeaders): Claimed {
  if (authorization.startsWith('AWS ')) throw signatureV2('Authorization: AWS <key>:<signature>')
  if (!authorization.startsWith(`${ALGORITHM} `))
    throw new S3Error('InvalidArgument', 400, `Unsupported Authorization Type: only ${ALGORITHM} (SigV4) is`)
  const parts = new Map(
    authorization
      .slice(ALGORITHM.length + 1)
      .split(',')
      .map((part) => {
        const [key = '', ...value] = part.trim().split('=')
        return [key, value.join('=')] as const
      }),
  )
  const credential = parts.get('Credential') ?? ''
  const signedHeaders = parts.get('SignedHeaders')
  const signature = parts.get('Signature')
  const amzDate = headers['x-amz-date']
  const payloadHash = headers['x-amz-content-sha256']
  if (credential.split('/').length !== 5 || !signedHeaders || !signature)
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      400,
      'The authorization header is malformed; it needs Credential, SignedHeaders and Signature.',
    )
  if (typeof amzDate !== 'string') throw new S3Error('AccessDenied', 403, 'x-amz-date is missing')
  if (typeof payloadHash !== 'string')
    throw new S3Error('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256')
  return { credential, amzDate, signedHeaders, signature, payloadHash, presigned: false }
}

function fromQuery(params: URLSearchParams, now: number): Claimed {
  const need = (name: string) => {
    const value = params.get(name)
    if (value === null)
      throw new S3Error('AuthorizationQueryParametersError', 400, `The presigned URL has no ${name}`)
    return value
  }
  if (need('X-Amz-Algorithm') !== ALGORITHM)
    throw new S3Error('AuthorizationQueryParametersError', 400, `X-Amz-Algorithm must be ${ALGORITHM}`)
  const credential = need('X-Amz-Credential')
  const amzDate = need('X-Amz-Date')
  const expires = Number(need('X-Amz-Expires'))
  if (now > Date.parse(isoDate(amzDate)) + expires * 1000)
    throw new S3Error('AccessDenied', 403, 'Request has expired')
  return {
    credential,
    amzDate,
    signedHeaders: need('X-Amz-SignedHeaders'),
    signature: need('X-Amz-Signature'),
    payloadHash: params.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    presigned: true,
  }
}

function isoDate(amzDate: string): string {
  return amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')
}

/**
 * Checks a request's signature against the secret of the access key it names. Refusals are S3's:
 * AccessDenied (unsigned), InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed.
 */
export function verifySignature(
  request: SignedRequest,
  secrets: ReadonlyMap<string, string>,
  now = Date.now(),
): Signer {
  const params = new URLSearchParams(request.query)
  const authorization = request.headers.authorization
  if (!authorization && params.has('AWSAccessKeyId') && params.has('Signature'))
    throw signatureV2('a presigned URL with AWSAccessKeyId, Signature and Expires')
  const claimed = authorization
    ? fromHeader(authorization, request.headers)
    : params.has('X-Amz-Signature')
      ? fromQuery(params, now)
      : undefined
  if (!claimed) throw new S3Error('AccessDenied', 403, 'Access Denied: the request is not signed')
  const [accessKeyId = '', date = '', region = '', service = ''] = claimed.credential.split('/')
  const signedHeaders = claimed.signedHeaders.split(';')
  const secret = secrets.get(accessKeyId)
  if (secret === undefined)
    throw new S3Error(
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: accessKeyId },
    )
  if (!claimed.presigned && Math.abs(now - Date.parse(isoDate(claimed.amzDate))) > MAX_SKEW_MS)
    throw new S3Error(
      'RequestTimeTooSkewed',
      403,
      'The difference between the request time and the current time is too large.',
    )
  const canonicalRequest = [
    request.method,
    canonicalPath(request.path),
    canonicalQuery(request.query, claimed.presigned ? 'X-Amz-Signature' : undefined),
    ...signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}`),
    '',
    signedHeaders.join(';'),
    claimed.payloadHash,
  ].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = [ALGORITHM, claimed.amzDate, scope, sha256Hex(canonicalRequest)].join('\n')
  const key = signingKey(secret, date, region, service)
  if (!sameSignature(signatureOf(key, stringToSign), claimed.signature))
    throw new S3Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: accessKeyId },
    )
  return {
    accessKeyId,
    amzDate: claimed.amzDate,
    scope,
    signingKey: key,
    signature: claimed.signature,
    payloadHash: claimed.payloadHash,
  }
}
