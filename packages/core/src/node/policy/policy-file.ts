// Reading testbed.policy.json and its lock, testbed.policy.lock, beside it at the repository root.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LOCK_FILE, type LoadedPolicy, POLICY_FILE, PolicyError, PolicyViolation } from './policy.js'
import { policyDigest } from './policy-digest.js'
import { policyProblems } from './policy-schema.js'

export const policyPath = (root: string) => join(root, POLICY_FILE)
export const lockPath = (root: string) => join(root, LOCK_FILE)

/** What testbed.policy.lock holds. */
export interface PolicyLock {
  file: string
  digest: string
  version: string
  canonicalization: 'RFC 8785'
}

/** A prefix of a JSON text that is fine so far: parsing it fails only for its end. */
const fineSoFar = (prefix: string) => {
  try {
    JSON.parse(prefix)
    return true
  } catch (error) {
    const { message } = error as Error
    const at = /at position (\d+)/.exec(message)
    return /Unexpected end of JSON input/.test(message) || (at !== null && Number(at[1]) >= prefix.length)
  }
}

/**
 * Where in `text` its JSON error is, as `line L, column C`: the first character after the longest
 * prefix that is fine so far (V8 gives no position for some errors, an unexpected token among them).
 */
function lineAndColumn(text: string): string {
  let [lo, hi] = [0, text.length]
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (fineSoFar(text.slice(0, mid))) lo = mid
    else hi = mid - 1
  }
  const before = text.slice(0, lo)
  return `line ${before.split('\n').length}, column ${lo - before.lastIndexOf('\n')}`
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new PolicyError(`${file} is not JSON: ${lineAndColumn(text)}: ${(error as Error).message}`)
  }
}

/** The policy at `root`, validated and digested; throws PolicyError naming the file and each bad field. */
export function loadPolicy(root: string): LoadedPolicy {
  const file = policyPath(root)
  const value = parseJson(file, readFileSync(file, 'utf8'))
  const problems = policyProblems(value)
  if (problems.length)
    throw new PolicyError(`${file} does not match the policy schema: ${problems.join('; ')}`)
  return { file, policy: value as LoadedPolicy['policy'], digest: policyDigest(value) }
}

/** The lock at `root`, or undefined when there is none; throws PolicyError when it is not a lock. */
export function readLock(root: string): PolicyLock | undefined {
  const file = lockPath(root)
  if (!existsSync(file)) return undefined
  const lock = parseJson(file, readFileSync(file, 'utf8')) as Partial<PolicyLock> | null
  if (typeof lock?.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(lock.digest))
    throw new PolicyError(`${file} is not a policy lock: it has no "digest": "sha256:<64 hex digits>"`)
  return lock as PolicyLock
}

/** Writes the lock of the policy at `root` (deterministic: the same policy, the same bytes). */
export function writeLock(root: string): { loaded: LoadedPolicy; lock: PolicyLock; file: string } {
  const loaded = loadPolicy(root)
  const lock: PolicyLock = {
    file: POLICY_FILE,
    digest: loaded.digest,
    version: loaded.policy.version,
    canonicalization: 'RFC 8785',
  }
  const file = lockPath(root)
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
  return { loaded, lock, file }
}

/**
 * Checks the policy at `root` against its lock: PolicyError when the lock is missing (or not a
 * lock), PolicyViolation ("policy modification detected") when the digests differ.
 */
export function verifyLock(root: string, loaded: LoadedPolicy = loadPolicy(root)): PolicyLock {
  const lock = readLock(root)
  if (!lock)
    throw new PolicyError(
      `${POLICY_FILE} has no lock: ${LOCK_FILE} is missing (${lockPath(root)}): run \`testbed policy lock\` and commit it`,
    )
  if (lock.digest !== loaded.digest)
    throw new PolicyViolation(
      `policy modification detected: ${POLICY_FILE} digest ${loaded.digest} does not match ${LOCK_FILE} ${lock.digest} (in ${root}; after a reviewed change, run \`testbed policy lock\`)`,
    )
  return lock
}
