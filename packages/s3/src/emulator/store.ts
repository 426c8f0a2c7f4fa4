// What the emulator holds, in memory: buckets, their objects, and multipart uploads in progress.
import type { ChecksumAlgorithm } from './checksums.js'
import { noSuchBucket } from './s3-error.js'

/** Headers stored with an object and given back on GET and HEAD. */
export const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
] as const

export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm
  value: string
  type: 'FULL_OBJECT' | 'COMPOSITE'
}

/** Content type, the stored headers and `x-amz-meta-*`, as given at upload. */
export interface ObjectAttributes {
  headers: Record<string, string>
  metadata: Record<string, string>
}

export interface StoredObject extends ObjectAttributes {
  data: Buffer
  /** Quoted, as S3 sends it. */
  etag: string
  lastModified: Date
  checksum?: ObjectChecksum
}

export interface UploadedPart {
  data: Buffer
  etag: string
  lastModified: Date
  checksum?: string
}

export interface MultipartUpload extends ObjectAttributes {
  id: string
  key: string
  initiated: Date
  checksumAlgorithm?: ChecksumAlgorithm
  parts: Map<number, UploadedPart>
}

export interface Bucket {
  name: string
  created: Date
  objects: Map<string, StoredObject>
  uploads: Map<string, MultipartUpload>
}

export class Store {
  readonly buckets = new Map<string, Bucket>()

  addBucket(name: string): Bucket {
    const bucket: Bucket = { name, created: new Date(), objects: new Map(), uploads: new Map() }
    this.buckets.set(name, bucket)
    return bucket
  }

  bucket(name: string): Bucket {
    const bucket = this.buckets.get(name)
    if (!bucket) throw noSuchBucket(name)
    return bucket
  }
}

/** The attributes of an upload request that S3 keeps with the object. */
export function attributesOf(headers: Record<string, string | string[] | undefined>): ObjectAttributes {
  const kept: Record<string, string> = { 'content-type': 'binary/octet-stream' }
  const metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? value.join(',') : value
    if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = text
    else if ((STORED_HEADERS as readonly string[]).includes(name)) kept[name] = text
  }
  // aws-chunked is the upload's framing, not the object's encoding.
  const encoding = kept['content-encoding']
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'aws-chunked')
  if (encoding?.length) kept['content-encoding'] = encoding.join(',')
  else delete kept['content-encoding']
  return { headers: kept, metadata }
}
