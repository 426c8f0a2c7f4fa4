import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { invalidArgument, S3Error } from './s3-error.js'

/** The checksum algorithms S3 accepts in `x-amz-checksum-*` (CRC64NVME has no Node built-in: refused). */
export const ALGORITHMS = ['crc32', 'crc32c', 'sha1', 'sha256'] as const
export type ChecksumAlgorithm = (typeof ALGORITHMS)[number]

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

function crc32c(data: Buffer): number {
  let crc = 0xffffffff
  for (const byte of data) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(value >>> 0)
  return out
}

/** The checksum as S3 writes it: base64 of the big-endian digest. */
export function checksum(algorithm: ChecksumAlgorithm, data: Buffer): string {
  switch (algorithm) {
    case 'crc32':
      return uint32(crc32(data)).toString('base64')
    case 'crc32c':
      return uint32(crc32c(data)).toString('base64')
    default:
      return createHash(algorithm).update(data).digest('base64')
  }
}

/** A checksum a client sent with a body, for the body to be checked against. */
export interface DeclaredChecksum {
  algorithm: ChecksumAlgorithm
  /** base64 */
  value: string
}

/** The one `x-amz-checksum-<algorithm>` among these headers (or trailers), if any. */
export function declaredChecksum(
  headers: Record<string, string | string[] | undefined>,
): DeclaredChecksum | undefined {
  for (const [name, value] of Object.entries(headers)) {
    const match = /^x-amz-checksum-([a-z0-9]+)$/.exec(name)
    if (!match || match[1] === 'type' || match[1] === 'algorithm' || match[1] === 'mode') continue
    const algorithm = match[1] as ChecksumAlgorithm
    if (!ALGORITHMS.includes(algorithm))
      throw invalidArgument(`Testbed's S3 emulator does not support the checksum algorithm ${match[1]}`, name)
    return { algorithm, value: String(value) }
  }
  return undefined
}

/** BadDigest, as S3 answers, when the body's checksum is not the one declared. */
export function verifyChecksum(declared: DeclaredChecksum | undefined, data: Buffer): void {
  if (!declared) return
  if (checksum(declared.algorithm, data) !== declared.value)
    throw new S3Error(
      'BadDigest',
      400,
      `The ${declared.algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
    )
}

export function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex')
}
