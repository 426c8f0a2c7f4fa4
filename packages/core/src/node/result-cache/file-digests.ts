import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import canonicalize from 'canonicalize'

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

/** SHA-256 (hex) over the RFC 8785 form of a JSON value. */
export function canonicalDigest(value: unknown): string {
  const canonical = canonicalize(value)
  if (canonical === undefined) throw new TypeError('a cache record must be a JSON value')
  return sha256(canonical)
}

/** Each file's SHA-256, read once per run however many test files load it; null: the file is gone. */
export class FileDigests {
  private readonly digests = new Map<string, Promise<string | null>>()

  of(path: string): Promise<string | null> {
    let digest = this.digests.get(path)
    if (!digest) {
      digest = readFile(path).then(sha256, () => null)
      this.digests.set(path, digest)
    }
    return digest
  }
}
