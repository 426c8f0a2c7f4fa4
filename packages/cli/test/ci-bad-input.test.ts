// Each bad workflow gets one clear error (the file, the line, what is wrong) and a non-zero exit,
// and leaves nothing behind (no file written, no process left): a malformed workflow, a need naming
// a missing job, a cycle, a matrix of more than 256 jobs.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { processesIn } from './ci-support.ts'
import { testbed } from './testbed-command.ts'

const bad = fileURLToPath(new URL('./fixtures/ci-bad', import.meta.url))

/** What git sees changed or added in the fixture: a plan writes nothing. */
const changes = () =>
  execFileSync('git', ['status', '--porcelain', '--', '.'], { cwd: bad, encoding: 'utf8' })

async function oneError(args: string[]): Promise<string> {
  const before = changes()
  const { code, stdout, stderr } = await testbed(args, bad, { GITHUB_STEP_SUMMARY: '' })
  expect(code).toBe(1)
  expect(stdout).toBe('')
  const lines = stderr.trimEnd().split('\n')
  expect(lines).toHaveLength(1)
  // Nothing written, nothing left running.
  expect(changes()).toBe(before)
  expect(processesIn(bad)).toEqual([])
  return lines[0] as string
}

describe('testbed ci: bad workflows', { tags: ['e2e'] }, () => {
  test("a malformed workflow: GitHub's parser's error, with the file and the line", async () => {
    expect(await oneError(['ci', 'plan', 'malformed'])).toBe(
      "testbed: .github/workflows/malformed.yml:8: Unexpected value 'shell_type'",
    )
  })

  test('a need naming a missing job', async () => {
    expect(await oneError(['ci', 'plan', 'missing-need.yml'])).toBe(
      "testbed: .github/workflows/missing-need.yml:7: job 'test' needs 'build', which is not a job of this workflow",
    )
  })

  test('a cycle, named', async () => {
    expect(await oneError(['ci', 'run', '.github/workflows/cycle.yml'])).toBe(
      "testbed: .github/workflows/cycle.yml:7: the jobs' needs make a cycle: a → c → b → a",
    )
  })

  test('a matrix of more than 256 jobs (8 × 8 × 5 = 320); 256 is accepted', async () => {
    expect(await oneError(['ci', 'plan', 'too-big'])).toBe(
      "testbed: .github/workflows/too-big.yml:4: job 'test': the matrix makes 320 jobs, more than the 256 a matrix may make",
    )
    const atLimit = await testbed(['ci', 'plan', 'at-limit'], bad, { GITHUB_STEP_SUMMARY: '' })
    expect(atLimit.stdout).toContain('stage 1 (256 jobs in parallel)')
  })

  test('an unknown workflow: the known ones listed', async () => {
    expect(await oneError(['ci', 'plan', 'nightly'])).toBe(
      "testbed: no workflow 'nightly' (workflows: at-limit.yml, cycle.yml, malformed.yml, missing-need.yml, too-big.yml)",
    )
  })
})
