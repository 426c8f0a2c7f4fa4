import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'

/**
 * SHA-256 over the RFC 8785 (JSON Canonicalization Scheme) form of the policy: key order and
 * whitespace do not count, every change of a value does.
 */
export function policyDigest(policy: unknown): string {
  const canonical = canonicalize(policy)
  if (canonical === undefined) throw new TypeError('a policy must be a JSON value')
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`
}
