// S3's rules for tags (how many, how long, which characters), and the `x-amz-tagging` header an
// upload carries them in. Storage reads them at upload; the `?tagging` handlers are in tagging.ts.
import type { IncomingHttpHeaders } from 'node:http'
import { header } from './header.js'
import { S3Error } from './s3-error.js'

/** Key → value, in the order given. */
export type Tags = Map<string, string>

export const OBJECT_TAGS = 10
export const BUCKET_TAGS = 50
const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

const invalidTag = (message: string, tag?: string) =>
  new S3Error('InvalidTag', 400, message, tag === undefined ? {} : { TagKey: tag })

export function checked(pairs: [string, string][], limit: number, what: 'Object' | 'Bucket'): Tags {
  if (pairs.length > limit) throw invalidTag(`${what} tags cannot be greater than ${limit}`)
  const tags: Tags = new Map()
  for (const [key, value] of pairs) {
    if (tags.has(key)) throw invalidTag('Cannot provide multiple Tags with the same key', key)
    if (key.length === 0 || [...key].length > 128)
      throw invalidTag('The TagKey you have provided is invalid: 1 to 128 characters', key)
    if ([...value].length > 256) throw invalidTag('The TagValue you have provided is too long, max 256', key)
    if (!ALLOWED.test(key) || !ALLOWED.test(value))
      throw invalidTag(
        'The TagKey or TagValue you have provided is invalid: letters, digits, spaces and _ . : / = + - @ only',
        key,
      )
    if (key.toLowerCase().startsWith('aws:'))
      throw invalidTag('Your TagKey cannot be prefixed with aws:', key)
    tags.set(key, value)
  }
  return tags
}

/** `x-amz-tagging: k1=v1&k2=v2`, URL-encoded as a query. */
export function tagsOfHeader(headers: IncomingHttpHeaders): Tags {
  const value = header(headers, 'x-amz-tagging')
  if (value === undefined) return new Map()
  return checked([...new URLSearchParams(value)], OBJECT_TAGS, 'Object')
}
