import type { IncomingHttpHeaders } from 'node:http'
import type { Payload } from './payload.js'
import type { Store } from './store.js'
import { xmlDocument } from './xml.js'

export { header } from './header.js'

/** A request after its signature was checked, addressed path-style: `/<bucket>/<key>`. */
export interface S3Request {
  method: string
  bucket: string
  key: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** The body, decoded and checked (aws-chunked framing removed, SHA-256 and Content-MD5 checked). */
  payload(): Payload
  store: Store
  region: string
}

export interface S3Response {
  status: number
  headers: Record<string, string>
  body: Buffer
}

const NOTHING = Buffer.alloc(0)

export function xmlResponse(root: string, content: Record<string, unknown>, status = 200): S3Response {
  return { status, headers: { 'content-type': 'application/xml' }, body: xmlDocument(root, content) }
}

export function emptyResponse(status = 200, headers: Record<string, string> = {}): S3Response {
  return { status, headers, body: NOTHING }
}
