// The policy file on its own, against real files: the published schema and its errors, the canonical
// digest, and the lock (the same functions `testbed policy lock|verify` and a test run use).
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import {
  loadPolicy,
  PolicyError,
  PolicyViolation,
  policyDigest,
  policyProblems,
  policySchemaPath,
  readLock,
  verifyLock,
  writeLock,
} from '@testbed/core/config'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { policy } from './policy-repo.ts'

const repoWith = (text: string) => {
  const dir = scratchDir('policy-file')
  writeFileSync(join(dir, 'testbed.policy.json'), text)
  return dir
}

describe('the policy file', { tags: ['tier1'] }, () => {
  test('the schema ships in the package, under its own export', () => {
    const resolved = createRequire(import.meta.url).resolve('@testbed/core/policy.schema.json')
    expect(resolved).toBe(policySchemaPath)
    const schema = JSON.parse(readFileSync(resolved, 'utf8'))
    expect(schema.required).toEqual(['version', 'locked', 'enforcement', 'pipelines'])
  })

  test('a valid policy has no problems; each invalid field is named', () => {
    expect(policyProblems(policy({ require: ['postgres'], retries: { max: 1, flaky: 2 } }))).toEqual([])
    expect(
      policyProblems({
        version: '',
        locked: 'yes',
        pipelines: {
          main: {
            require: ['Postgres'],
            skipped: { max: 2 },
            restrictions: { maxConcurrency: 0, allowCheckSkip: 1 },
          },
        },
      }),
    ).toEqual([
      'enforcement is required',
      'version must NOT have fewer than 1 characters',
      'locked must be boolean',
      'pipelines.main.require.0 must match pattern "^[a-z0-9][a-z0-9_-]*$"',
      'pipelines.main.skipped.allowed is required',
      'pipelines.main.restrictions.allowCheckSkip must be boolean',
      'pipelines.main.restrictions.maxConcurrency must be >= 1',
    ])
  })

  test('a file that is not JSON is named, with its line', () => {
    const dir = repoWith('{\n  "version": "1",\n  "locked": tru\n}\n')
    expect(() => loadPolicy(dir)).toThrow(PolicyError)
    expect(() => loadPolicy(dir)).toThrow(/testbed\.policy\.json is not JSON: line 3, column/)
  })

  test('the digest is deterministic: key order and whitespace do not count', () => {
    const a = repoWith(JSON.stringify(policy({ require: ['echo'] })))
    const reordered = {
      pipelines: { enterprise: {}, main: { require: ['echo'] } },
      enforcement: 'hard',
      locked: true,
      version: '1.0.0',
    }
    const b = repoWith(`${JSON.stringify(reordered, null, 4)}\n\n`)
    expect(loadPolicy(a).digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(loadPolicy(b).digest).toBe(loadPolicy(a).digest)
    expect(policyDigest(policy())).toBe(policyDigest(policy()))
  })

  test('any change changes the digest', () => {
    const digests = [
      policy(),
      policy({}, { version: '1.0.1' }),
      policy({}, { enforcement: 'soft' }),
      policy({}, { locked: false }),
      policy({ require: ['echo'] }),
      policy({ real: ['echo'] }),
      policy({ retries: { max: 0 } }),
      policy({ retries: { max: 1 } }),
      policy({ skipped: { allowed: false } }),
      policy({ restrictions: { allowCacheBypass: false } }),
      policy({ restrictions: { maxConcurrency: 2 } }),
    ].map(policyDigest)
    expect(new Set(digests).size).toBe(digests.length)
  })

  test('lock, verify, and the mismatch once the policy changes', () => {
    const dir = repoWith(JSON.stringify(policy()))
    const { lock, file } = writeLock(dir)
    const bytes = readFileSync(file, 'utf8')
    writeLock(dir)
    expect(readFileSync(file, 'utf8')).toBe(bytes)
    expect(readLock(dir)).toEqual(lock)
    expect(verifyLock(dir).digest).toBe(lock.digest)
    writeFileSync(join(dir, 'testbed.policy.json'), JSON.stringify(policy({ retries: { max: 3 } })))
    const changed = loadPolicy(dir).digest
    expect(() => verifyLock(dir)).toThrow(PolicyViolation)
    expect(() => verifyLock(dir)).toThrow(
      `policy modification detected: testbed.policy.json digest ${changed} does not match testbed.policy.lock ${lock.digest}`,
    )
  })

  test('a missing or broken lock is an error naming the lock file', () => {
    const dir = repoWith(JSON.stringify(policy()))
    expect(() => verifyLock(dir)).toThrow('testbed.policy.json has no lock: testbed.policy.lock is missing')
    writeFileSync(join(dir, 'testbed.policy.lock'), '{"digest": "md5:abc"}')
    expect(() => verifyLock(dir)).toThrow(`${join(dir, 'testbed.policy.lock')} is not a policy lock`)
  })
})
