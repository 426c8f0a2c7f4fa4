// A request body as S3 reads it: plain (its SHA-256 checked when signed), or aws-chunked, the framing
// the SDK streams uploads in (chunk signatures, or unsigned chunks with a checksum trailer). s3rver
// stored that framing as the object's bytes; here it is decoded and every check S3 makes is made.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { type DeclaredChecksum, declaredChecksum } from './checksums.js'
import { notImplemented, S3Error } from './s3-error.js'
import { type Signer, sameSignature, sha256Hex, signatureOf } from './signature-v4.js'

export interface Payload {
  data: Buffer
  /** The checksum the client declared, in a header or a trailer, still to be checked against `data`. */
  checksum: DeclaredChecksum | undefined
}

const EMPTY_SHA256 = sha256Hex('')
const CRLF = Buffer.from('\r\n')

const incomplete = (why: string) =>
  new S3Error('IncompleteBody', 400, `The request body is not valid aws-chunked encoding: ${why}`)

interface Chunked {
  chunks: { data: Buffer; signature?: string }[]
  trailers: Record<string, string>
}

function parseChunked(body: Buffer, withTrailer: boolean): Chunked {
  const chunks: Chunked['chunks'] = []
  let at = 0
  const line = () => {
    const end = body.indexOf(CRLF, at)
    if (end < 0) throw incomplete('a line does not end')
    const text = body.subarray(at, end).toString('latin1')
    at = end + 2
    return text
  }
  for (;;) {
    const [sizeText = '', ...extensions] = line().split(';')
    const size = Number.parseInt(sizeText, 16)
    if (!/^[0-9a-fA-F]+$/.test(sizeText) || Number.isNaN(size))
      throw incomplete(`bad chunk size "${sizeText}"`)
    const signature = extensions
      .find((e) => e.startsWith('chunk-signature='))
      ?.slice('chunk-signature='.length)
    if (size === 0) {
      chunks.push({ data: Buffer.alloc(0), signature })
      break
    }
    if (at + size + 2 > body.length) throw incomplete('a chunk is shorter than its size')
    chunks.push({ data: body.subarray(at, at + size), signature })
    at += size
    if (!body.subarray(at, at + 2).equals(CRLF)) throw incomplete('a chunk does not end with CRLF')
    at += 2
  }
  const trailers: Record<string, string> = {}
  if (withTrailer) {
    for (let text = line(); text !== ''; text = at < body.length ? line() : '') {
      const colon = text.indexOf(':')
      if (colon < 0) throw incomplete(`bad trailer "${text}"`)
      trailers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim()
    }
  }
  return { chunks, trailers }
}

function verifyChunkSignatures(chunks: Chunked['chunks'], signer: Signer): void {
  let previous = signer.signature
  for (const chunk of chunks) {
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      signer.amzDate,
      signer.scope,
      previous,
      EMPTY_SHA256,
      sha256Hex(chunk.data),
    ].join('\n')
    const expected = signatureOf(signer.signingKey, stringToSign)
    if (!chunk.signature || !sameSignature(expected, chunk.signature))
      throw new S3Error(
        'SignatureDoesNotMatch',
        403,
        'The chunk signature we calculated does not match the signature you provided.',
      )
    previous = expected
  }
}

function checkDecodedLength(data: Buffer, headers: IncomingHttpHeaders): void {
  const declared = headers['x-amz-decoded-content-length']
  if (declared !== undefined && Number(declared) !== data.length)
    throw incomplete(`x-amz-decoded-content-length is ${declared}, the chunks hold ${data.length} bytes`)
}

function checkContentMd5(data: Buffer, headers: IncomingHttpHeaders): void {
  const md5 = headers['content-md5']
  if (md5 === undefined) return
  if (createHash('md5').update(data).digest('base64') !== md5)
    throw new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.')
}

/** The body's bytes, decoded and checked against what the request says of them. */
export function readPayload(body: Buffer, headers: IncomingHttpHeaders, signer: Signer): Payload {
  let data: Buffer
  let trailers: Record<string, string> = {}
  switch (signer.payloadHash) {
    case 'UNSIGNED-PAYLOAD':
      data = body
      break
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': {
      const chunked = parseChunked(body, false)
      verifyChunkSignatures(chunked.chunks, signer)
      data = Buffer.concat(chunked.chunks.map((c) => c.data))
      break
    }
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER': {
      const chunked = parseChunked(body, true)
      data = Buffer.concat(chunked.chunks.map((c) => c.data))
      trailers = chunked.trailers
      break
    }
    default:
      if (signer.payloadHash.startsWith('STREAMING-')) throw notImplemented(`${signer.payloadHash} payloads`)
      if (!/^[0-9a-f]{64}$/.test(signer.payloadHash))
        throw new S3Error(
          'InvalidArgument',
          400,
          'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a SHA-256 in hex',
        )
      if (sha256Hex(body) !== signer.payloadHash)
        throw new S3Error(
          'XAmzContentSHA256Mismatch',
          400,
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
      data = body
  }
  checkDecodedLength(data, headers)
  checkContentMd5(data, headers)
  return { data, checksum: declaredChecksum({ ...headers, ...trailers }) }
}
