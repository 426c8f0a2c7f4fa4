// Multipart uploads: create, upload parts (sent, or copied from an object's range), complete (parts in
// order, all but the last ≥ 5 MiB, ETags matching), abort, list. The object's ETag is S3's: MD5 of
// the parts' MD5s, `-<parts>`.
import { randomBytes } from 'node:crypto'
import { OWNER } from './access-control.js'
import {
  type ChecksumAlgorithm,
  checksum as checksumOf,
  declaredChecksum,
  md5Hex,
  verifyChecksum,
} from './checksums.js'
import { copySource, copySourceBytes } from './copy-source.js'
import { ENCRYPTION_HEADERS } from './encryption.js'
import { emptyResponse, header, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { invalidArgument, noSuchUpload, notImplemented, S3Error } from './s3-error.js'
import { attributesOf, type MultipartUpload, type ObjectChecksum } from './store.js'
import { elementText, parseXml } from './xml.js'

const MIN_PART_SIZE = 5 * 1024 * 1024

function upload(request: S3Request): MultipartUpload {
  const id = request.query.get('uploadId') ?? ''
  const found = request.store.bucket(request.bucket).uploads.get(id)
  if (!found || found.key !== request.key) throw noSuchUpload(id)
  return found
}

export function createMultipartUpload(request: S3Request): S3Response {
  const { store, bucket, key, headers } = request
  const uploads = store.bucket(bucket).uploads
  const id = randomBytes(24).toString('base64url')
  const algorithm = header(headers, 'x-amz-checksum-algorithm')?.toLowerCase() as
    | ChecksumAlgorithm
    | undefined
  const checksumType = checksumTypeOf(header(headers, 'x-amz-checksum-type'), algorithm)
  uploads.set(id, {
    ...attributesOf(headers),
    id,
    key,
    initiated: new Date(),
    checksumAlgorithm: algorithm,
    checksumType,
    parts: new Map(),
  })
  const created = xmlResponse('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: id })
  return { ...created, headers: { ...created.headers, ...ENCRYPTION_HEADERS } }
}

/** COMPOSITE (a checksum of the parts' checksums) unless FULL_OBJECT is asked, which only CRCs can be. */
function checksumTypeOf(
  asked: string | undefined,
  algorithm: ChecksumAlgorithm | undefined,
): ObjectChecksum['type'] {
  if (asked === undefined || asked === 'COMPOSITE') return 'COMPOSITE'
  if (asked !== 'FULL_OBJECT') throw invalidArgument('Invalid checksum type', 'x-amz-checksum-type', asked)
  if (algorithm !== 'crc32' && algorithm !== 'crc32c')
    throw new S3Error(
      'InvalidRequest',
      400,
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm ?? 'unspecified'} checksum algorithm.`,
    )
  return 'FULL_OBJECT'
}

function partNumberOf(request: S3Request): number {
  const numberText = request.query.get('partNumber') ?? ''
  const partNumber = Number(numberText)
  if (!/^\d+$/.test(numberText) || partNumber < 1 || partNumber > 10000)
    throw invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      numberText,
    )
  return partNumber
}

export function uploadPart(request: S3Request): S3Response {
  const found = upload(request)
  const partNumber = partNumberOf(request)
  const { data, checksum } = request.payload()
  verifyChecksum(checksum, data)
  const etag = `"${md5Hex(data)}"`
  found.parts.set(partNumber, { data, etag, lastModified: new Date(), checksum: checksum?.value })
  return emptyResponse(200, {
    etag,
    ...(checksum ? { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value } : {}),
    ...ENCRYPTION_HEADERS,
  })
}

/** UploadPart with `x-amz-copy-source` (and `x-amz-copy-source-range`): a part of an object's bytes. */
export function uploadPartCopy(request: S3Request, sourceHeader: string): S3Response {
  const found = upload(request)
  const partNumber = partNumberOf(request)
  const data = Buffer.from(
    copySourceBytes(request.headers, copySource(request.store, request.headers, sourceHeader)),
  )
  const etag = `"${md5Hex(data)}"`
  const algorithm = found.checksumAlgorithm
  const checksum = algorithm && checksumOf(algorithm, data)
  const lastModified = new Date()
  found.parts.set(partNumber, { data, etag, lastModified, checksum })
  const copied = xmlResponse('CopyPartResult', {
    ETag: etag,
    LastModified: lastModified.toISOString(),
    ...(algorithm && checksum ? { [`Checksum${algorithm.toUpperCase()}`]: checksum } : {}),
  })
  return { ...copied, headers: { ...copied.headers, ...ENCRYPTION_HEADERS } }
}

export function completeMultipartUpload(request: S3Request): S3Response {
  const { store, bucket, key } = request
  const found = upload(request)
  const document = parseXml(request.payload().data, 'CompleteMultipartUpload')
  const listed = ((document.Part as Record<string, unknown>[] | undefined) ?? []).map((part) => ({
    number: Number(elementText(part.PartNumber)),
    etag: elementText(part.ETag).trim(),
  }))
  if (listed.length === 0) throw new S3Error('MalformedXML', 400, 'The request names no parts')
  const parts = listed.map(({ number, etag }, index) => {
    if (index > 0 && number <= (listed[index - 1]?.number ?? 0))
      throw new S3Error(
        'InvalidPartOrder',
        400,
        'The list of parts was not in ascending order. The parts list must be specified in order of the part number.',
      )
    const part = found.parts.get(number)
    const quoted = etag.startsWith('"') ? etag : `"${etag}"`
    if (!part || part.etag !== quoted)
      throw new S3Error(
        'InvalidPart',
        400,
        "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
        { PartNumber: String(number), ETag: etag },
      )
    return part
  })
  parts.slice(0, -1).forEach((part, index) => {
    if (part.data.length < MIN_PART_SIZE)
      throw new S3Error(
        'EntityTooSmall',
        400,
        'Your proposed upload is smaller than the minimum allowed object size.',
        {
          PartNumber: String(listed[index]?.number),
          ProposedSize: String(part.data.length),
          MinSizeAllowed: String(MIN_PART_SIZE),
        },
      )
  })
  const data = Buffer.concat(parts.map((p) => p.data))
  const etag = `"${md5Hex(Buffer.concat(parts.map((p) => Buffer.from(p.etag.slice(1, -1), 'hex'))))}-${parts.length}"`
  const checksum = objectChecksum(found, parts, data)
  const declared = declaredChecksum(request.headers)
  if (
    declared &&
    checksum &&
    declared.value !== checksum.value &&
    `${declared.value}-${parts.length}` !== checksum.value
  )
    throw new S3Error(
      'BadDigest',
      400,
      `The ${declared.algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
    )
  const objects = store.bucket(bucket).objects
  objects.set(key, {
    headers: found.headers,
    metadata: found.metadata,
    storageClass: found.storageClass,
    tags: found.tags,
    data,
    etag,
    lastModified: new Date(),
    checksum,
  })
  store.bucket(bucket).uploads.delete(found.id)
  const completed = xmlResponse('CompleteMultipartUploadResult', {
    Location: locationOf(request),
    Bucket: bucket,
    Key: key,
    ETag: etag,
    ...(checksum
      ? { [`Checksum${checksum.algorithm.toUpperCase()}`]: checksum.value, ChecksumType: checksum.type }
      : {}),
  })
  return { ...completed, headers: { ...completed.headers, ...ENCRYPTION_HEADERS } }
}

/** The object's URL, absolute as S3 gives it, path-style: the emulator serves plain HTTP. */
function locationOf({ headers, bucket, key }: S3Request): string {
  const path = [bucket, ...key.split('/')].map(encodeURIComponent).join('/')
  return `http://${header(headers, 'host') ?? 'localhost'}/${path}`
}

function objectChecksum(
  found: MultipartUpload,
  parts: { checksum?: string }[],
  data: Buffer,
): ObjectChecksum | undefined {
  const algorithm = found.checksumAlgorithm
  if (!algorithm) return undefined
  if (found.checksumType === 'FULL_OBJECT')
    return { algorithm, value: checksumOf(algorithm, data), type: 'FULL_OBJECT' }
  if (!parts.every((p) => p.checksum)) return undefined
  const ofParts = Buffer.concat(parts.map((p) => Buffer.from(p.checksum as string, 'base64')))
  return { algorithm, value: `${checksumOf(algorithm, ofParts)}-${parts.length}`, type: 'COMPOSITE' }
}

export function abortMultipartUpload(request: S3Request): S3Response {
  const found = upload(request)
  request.store.bucket(request.bucket).uploads.delete(found.id)
  return emptyResponse(204)
}

function limit(query: URLSearchParams, name: string): number {
  const text = query.get(name) ?? '1000'
  if (!/^\d+$/.test(text))
    throw invalidArgument(`Provided ${name} not an integer or within integer range`, name, text)
  return Math.min(Number(text), 1000)
}

/** Uploads in key order, then by when they began; pages by `key-marker` and `upload-id-marker`. */
export function listMultipartUploads({ store, bucket, query }: S3Request): S3Response {
  if (query.has('delimiter')) throw notImplemented('ListMultipartUploads with a delimiter')
  const prefix = query.get('prefix') ?? ''
  const keyMarker = query.get('key-marker') ?? ''
  const idMarker = query.get('upload-id-marker') ?? ''
  const max = limit(query, 'max-uploads')
  const all = [...store.bucket(bucket).uploads.values()]
    .filter((u) => u.key.startsWith(prefix))
    .sort(
      (a, b) =>
        Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) ||
        a.initiated.getTime() - b.initiated.getTime(),
    )
  let from = 0
  if (keyMarker) {
    const marker = all.findIndex((u) => u.key === keyMarker && u.id === idMarker)
    from =
      idMarker && marker >= 0
        ? marker + 1
        : all.findIndex((u) => Buffer.compare(Buffer.from(u.key), Buffer.from(keyMarker)) > 0)
    if (from < 0) from = all.length
  }
  const uploads = all.slice(from, from + max)
  const truncated = from + max < all.length
  const last = uploads.at(-1)
  return xmlResponse('ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: keyMarker,
    UploadIdMarker: idMarker,
    ...(truncated && last ? { NextKeyMarker: last.key, NextUploadIdMarker: last.id } : {}),
    Prefix: prefix,
    MaxUploads: max,
    IsTruncated: truncated,
    Upload: uploads.map((u) => ({
      Key: u.key,
      UploadId: u.id,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: u.storageClass,
      Initiated: u.initiated.toISOString(),
    })),
  })
}

export function listParts(request: S3Request): S3Response {
  const found = upload(request)
  const marker = Number(request.query.get('part-number-marker') ?? '0')
  const max = limit(request.query, 'max-parts')
  const all = [...found.parts.entries()].filter(([number]) => number > marker).sort(([a], [b]) => a - b)
  const parts = all.slice(0, max)
  const truncated = all.length > max
  return xmlResponse('ListPartsResult', {
    Bucket: request.bucket,
    Key: request.key,
    UploadId: found.id,
    PartNumberMarker: marker,
    ...(truncated ? { NextPartNumberMarker: parts.at(-1)?.[0] } : {}),
    MaxParts: max,
    IsTruncated: truncated,
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: found.storageClass,
    Part: parts.map(([number, p]) => ({
      PartNumber: number,
      ETag: p.etag,
      Size: p.data.length,
      LastModified: p.lastModified.toISOString(),
    })),
  })
}
