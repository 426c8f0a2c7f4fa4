// Multipart uploads: create, upload parts, complete (parts in order, all but the last ≥ 5 MiB, ETags
// matching), abort, list. The object's ETag is S3's: MD5 of the parts' MD5s, `-<parts>`.
import { randomBytes } from 'node:crypto'
import { type ChecksumAlgorithm, checksum as checksumOf, md5Hex, verifyChecksum } from './checksums.js'
import { emptyResponse, header, type S3Request, type S3Response, xmlResponse } from './exchange.js'
import { invalidArgument, noSuchUpload, S3Error } from './s3-error.js'
import { attributesOf, type MultipartUpload } from './store.js'
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
  uploads.set(id, {
    ...attributesOf(headers),
    id,
    key,
    initiated: new Date(),
    checksumAlgorithm: algorithm,
    parts: new Map(),
  })
  return xmlResponse('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: id })
}

export function uploadPart(request: S3Request): S3Response {
  const found = upload(request)
  const numberText = request.query.get('partNumber') ?? ''
  const partNumber = Number(numberText)
  if (!/^\d+$/.test(numberText) || partNumber < 1 || partNumber > 10000)
    throw invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      numberText,
    )
  const { data, checksum } = request.payload()
  verifyChecksum(checksum, data)
  const etag = `"${md5Hex(data)}"`
  found.parts.set(partNumber, { data, etag, lastModified: new Date(), checksum: checksum?.value })
  return emptyResponse(200, {
    etag,
    ...(checksum ? { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value } : {}),
  })
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
  const algorithm = found.checksumAlgorithm
  const checksum =
    algorithm && parts.every((p) => p.checksum)
      ? {
          algorithm,
          value: `${checksumOf(algorithm, Buffer.concat(parts.map((p) => Buffer.from(p.checksum as string, 'base64'))))}-${parts.length}`,
          type: 'COMPOSITE' as const,
        }
      : undefined
  const objects = store.bucket(bucket).objects
  objects.set(key, {
    headers: found.headers,
    metadata: found.metadata,
    data,
    etag,
    lastModified: new Date(),
    checksum,
  })
  store.bucket(bucket).uploads.delete(found.id)
  return xmlResponse('CompleteMultipartUploadResult', {
    Location: `/${bucket}/${key}`,
    Bucket: bucket,
    Key: key,
    ETag: etag,
    ...(checksum
      ? { [`Checksum${checksum.algorithm.toUpperCase()}`]: checksum.value, ChecksumType: 'COMPOSITE' }
      : {}),
  })
}

export function abortMultipartUpload(request: S3Request): S3Response {
  const found = upload(request)
  request.store.bucket(request.bucket).uploads.delete(found.id)
  return emptyResponse(204)
}

export function listMultipartUploads({ store, bucket }: S3Request): S3Response {
  const uploads = [...store.bucket(bucket).uploads.values()]
  return xmlResponse('ListMultipartUploadsResult', {
    Bucket: bucket,
    MaxUploads: 1000,
    IsTruncated: false,
    Upload: uploads.map((u) => ({ Key: u.key, UploadId: u.id, Initiated: u.initiated.toISOString() })),
  })
}

export function listParts(request: S3Request): S3Response {
  const found = upload(request)
  return xmlResponse('ListPartsResult', {
    Bucket: request.bucket,
    Key: request.key,
    UploadId: found.id,
    IsTruncated: false,
    Part: [...found.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([number, p]) => ({
        PartNumber: number,
        ETag: p.etag,
        Size: p.data.length,
        LastModified: p.lastModified.toISOString(),
      })),
  })
}
