// Which services `testbed up --pipeline` starts (its `require` and the markers of the tests it
// selects), and the export formats a shell, a .env reader, a program and GitHub Actions read.
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { checkoutForTest, testbed } from './testbed-command.ts'

const run = promisify(execFile)
const repo = checkoutForTest

const held = (dir: string) =>
  (
    JSON.parse(readFileSync(join(dir, '.testbed', 'up.json'), 'utf8')).services as Array<{ name: string }>
  ).map((s) => s.name)

describe('testbed up --pipeline and --format', { tags: ['e2e'] }, () => {
  test('a pipeline starts what it requires and what its selected tests are marked with', async () => {
    const dir = repo()
    // main: PostgreSQL required, Redis for cache.test.ts; not Vault (secrets.test.ts is enterprise's).
    expect((await testbed(['up', '--pipeline', 'main', '--detach'], dir)).code).toBe(0)
    expect(held(dir)).toEqual(['postgres', 'redis'])
    expect((await testbed(['down'], dir)).code).toBe(0)
    expect(
      (await testbed(['up', '--pipeline', 'enterprise', '--detach', '--format', 'json'], dir)).code,
    ).toBe(0)
    expect(held(dir)).toEqual(['vault'])
    expect((await testbed(['down'], dir)).code).toBe(0)
  })

  test('sh, dotenv and json exports read back as they were; github appends to $GITHUB_ENV with TESTBED_UP=use', async () => {
    const dir = repo()
    const up = await testbed(['up', 'postgres', '--detach', '--format', 'json'], dir)
    expect(up.code).toBe(0)
    const env = JSON.parse(up.stdout) as Record<string, string>
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\//)

    const sh = await testbed(['env', '--format', 'sh'], dir)
    const { stdout } = await run('bash', ['-c', `eval "$EXPORTS"; printf %s "$DATABASE_URL"`], {
      env: { PATH: process.env.PATH, EXPORTS: sh.stdout },
    })
    expect(stdout).toBe(env.DATABASE_URL)
    const dotenv = await testbed(['env', '--format', 'dotenv'], dir)
    expect(dotenv.stdout).toContain(`PGPASSWORD=${env.PGPASSWORD}\n`)

    const githubEnv = join(dir, 'github-env')
    writeFileSync(githubEnv, 'EARLIER=1\n')
    const github = await testbed(['env', '--format', 'github'], dir, { GITHUB_ENV: githubEnv })
    expect(github.code).toBe(0)
    expect(github.stdout).toBe('')
    const written = readFileSync(githubEnv, 'utf8')
    expect(written.startsWith('EARLIER=1\n')).toBe(true)
    const entries = Object.fromEntries(
      [...written.matchAll(/^(\w+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]),
    )
    expect(entries).toEqual({ ...env, TESTBED_UP: 'use' })

    const unset = await testbed(['env', '--format', 'github'], dir)
    expect(unset.code).toBe(1)
    expect(unset.stderr).toMatch(/^testbed: --format github appends to \$GITHUB_ENV, which is not set/)
    expect((await testbed(['down'], dir)).code).toBe(0)
  })
})
