// `testbed policy lock|verify` in a child process, on real files: the lock it writes, what verify says
// of a matching, changed, unlocked or invalid policy, and the exit status of each.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { policyDigest } from '@testbed/core/config'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { testbed } from './testbed-command.ts'

const policy = (version = '1.0.0') => ({
  version,
  locked: true,
  enforcement: 'hard',
  pipelines: { main: { require: ['postgres'], retries: { max: 1, flaky: 0 } } },
})

/** A repository root: a Testbed config (found as the CLI finds it) and, when given, a policy. */
function repo(text?: string): string {
  const dir = scratchDir('cli-policy')
  writeFileSync(join(dir, 'vitest.workspace.ts'), 'export const testbed = {}\n')
  if (text !== undefined) writeFileSync(join(dir, 'testbed.policy.json'), text)
  return dir
}
const lockOf = (dir: string) => join(dir, 'testbed.policy.lock')

describe('testbed policy', { tags: ['tier2'] }, () => {
  test('lock writes the digest of the canonical form; the same policy, however written, the same lock', async () => {
    const dir = repo(JSON.stringify(policy(), null, 2))
    const digest = policyDigest(policy())
    const locked = await testbed(['policy', 'lock'], dir)
    expect(locked.code).toBe(0)
    expect(locked.stdout).toBe(
      `testbed.policy.json version 1.0.0: ${digest}\nwrote ${lockOf(dir)} (commit it with the policy)\n`,
    )
    const bytes = readFileSync(lockOf(dir), 'utf8')
    expect(JSON.parse(bytes)).toEqual({
      file: 'testbed.policy.json',
      digest,
      version: '1.0.0',
      canonicalization: 'RFC 8785',
    })
    // Keys in another order, other whitespace: the same canonical form, the same bytes.
    const { pipelines, ...rest } = policy()
    writeFileSync(join(dir, 'testbed.policy.json'), JSON.stringify({ pipelines, ...rest }))
    expect((await testbed(['policy', 'lock'], dir)).code).toBe(0)
    expect(readFileSync(lockOf(dir), 'utf8')).toBe(bytes)
    const verified = await testbed(['policy', 'verify'], dir)
    expect(verified).toMatchObject({ code: 0, stderr: '' })
    expect(verified.stdout).toBe(`testbed.policy.json version 1.0.0 matches testbed.policy.lock: ${digest}\n`)
  })

  test('verify after a change: exit 1, naming the file and both digests', async () => {
    const dir = repo(JSON.stringify(policy()))
    expect((await testbed(['policy', 'lock'], dir)).code).toBe(0)
    const changed = {
      ...policy(),
      pipelines: { main: { require: ['postgres'], retries: { max: 2, flaky: 0 } } },
    }
    writeFileSync(join(dir, 'testbed.policy.json'), JSON.stringify(changed))
    const run = await testbed(['policy', 'verify'], dir)
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      `testbed: policy modification detected: testbed.policy.json digest ${policyDigest(changed)} does not match testbed.policy.lock ${policyDigest(policy())} (in ${dir}; after a reviewed change, run \`testbed policy lock\`)\n`,
    )
  })

  test('verify without a lock: exit 1, naming the lock file', async () => {
    const dir = repo(JSON.stringify(policy()))
    const run = await testbed(['policy', 'verify'], dir)
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      `testbed: testbed.policy.json has no lock: testbed.policy.lock is missing (${lockOf(dir)}): run \`testbed policy lock\` and commit it\n`,
    )
  })

  test('a policy that fails the schema: lock refuses, exit 1, the field named, no lock written', async () => {
    const dir = repo(
      JSON.stringify({ ...policy(), enforcement: 'strict', pipelines: { main: { retries: {} } } }),
    )
    const run = await testbed(['policy', 'lock'], dir)
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      `testbed: ${join(dir, 'testbed.policy.json')} does not match the policy schema: enforcement must be one of "hard", "soft"; pipelines.main.retries.max is required\n`,
    )
    expect(existsSync(lockOf(dir))).toBe(false)
    expect((await testbed(['policy', 'verify'], dir)).code).toBe(1)
  })

  test('no policy file, an unknown action: one line each, and a non-zero exit', async () => {
    const dir = repo()
    const none = await testbed(['policy', 'lock'], dir)
    expect(none).toMatchObject({
      code: 1,
      stderr: `testbed: no testbed.policy.json in ${dir} (the repository root, beside its Testbed config)\n`,
    })
    const unknown = await testbed(['policy', 'sign'], dir)
    expect(unknown).toMatchObject({
      code: 2,
      stderr: "testbed: unknown policy action 'sign' (actions: lock, verify)\n",
    })
    expect(existsSync(lockOf(dir))).toBe(false)
  })
})
