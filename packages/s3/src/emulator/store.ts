// What the emulator holds, in memory: buckets, their objects, and multipart uploads in progress.
import type { ChecksumAlgorithm } from './checksums.js'
import { noSuchBucket } from './s3-error.js'
import { type StorageClass, storageClassOf } from './storage-class.js'
import { type Tags, tagsOfHeader } from './tag-rules.js'

/** Headers stored with an object and given back on GET and HEAD. */
export const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
  'x-amz-website-redirect-location',
] as const

export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm
  value: string
  type: 'FULL_OBJECT' | 'COMPOSITE'
}

/** What an upload says of its object: content type, the stored headers, `x-amz-meta-*`, storage class and tags. */
export interface ObjectAttributes {
  headers: Record<string, string>
  metadata: Record<string, string>
  storageClass: StorageClass
  tags: Tags
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
  checksumType: ObjectChecksum['type']
  parts: Map<number, UploadedPart>
}

export interface Bucket {
  name: string
  created: Date
  objects: Map<string, StoredObject>
  uploads: Map<string, MultipartUpload>
  /** Undefined until tags are put: S3 then answers NoSuchTagSet. */
  tags?: Tags
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

/** The headers and metadata of an upload request that S3 keeps with the object. */
export function headersOf(
  headers: Record<string, string | string[] | undefined>,
): Pick<ObjectAttributes, 'headers' | 'metadata'> {
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

/** Everything of an upload request that S3 keeps with the object. */
export function attributesOf(headers: Record<string, string | string[] | undefined>): ObjectAttributes {
  return { ...headersOf(headers), storageClass: storageClassOf(headers), tags: tagsOfHeader(headers) }
}
