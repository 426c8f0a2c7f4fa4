// A copy of the policy fixture repository (fixtures/policy-repo) in a temp dir, removed when the test
// finishes, with the policy each test writes into it, its lock, and what a run left in it.
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { type AuditEntry, type Policy, policyDigest, writeLock } from '@testbed/core/config'
import { alive, type NestedRun } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { expect } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const nodeModules = fixturePath('../../../../node_modules')

export interface PolicyRepo {
  /** The repository (the config's dir, where testbed.policy.json goes). */
  dir: string
  write(policy: Policy): string
  /** `testbed policy lock`'s work, through the same function. */
  lock(): string
  audit(): AuditEntry[]
  /** The repository's HEAD (it is a git checkout with one commit). */
  head: string
}

export function policyRepo(policy?: Policy): PolicyRepo {
  const base = realpathSync(scratchDir('policy-repo'))
  const dir = join(base, 'repo')
  cpSync(fixturePath('policy-repo'), dir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|\.testbed)$/.test(src),
  })
  cpSync(fixturePath('echo'), join(base, 'echo'), { recursive: true })
  writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n')
  symlinkSync(nodeModules, join(base, 'node_modules'))
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  git('init', '-q')
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'fixture')
  const repo: PolicyRepo = {
    dir,
    head: git('rev-parse', 'HEAD'),
    write(p) {
      writeFileSync(join(dir, 'testbed.policy.json'), `${JSON.stringify(p, null, 2)}\n`)
      return policyDigest(p)
    },
    lock: () => writeLock(dir).lock.digest,
    audit() {
      const file = join(dir, '.testbed/policy-audit.jsonl')
      if (!existsSync(file)) return []
      return readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as AuditEntry)
    },
  }
  mkdirSync(join(dir, '.testbed'), { recursive: true })
  if (policy) repo.write(policy)
  return repo
}

/** A locked, hard policy for both pipelines of the fixture; `main` as given. */
export function policy(main: Policy['pipelines'][string] = {}, top: Partial<Policy> = {}): Policy {
  return { version: '1.0.0', locked: true, enforcement: 'hard', pipelines: { main, enterprise: {} }, ...top }
}

/** A run the policy refused before any test ran: non-zero, no test, no service started, none left. */
export function expectRefusedBeforeTests(run: NestedRun, message: string): void {
  expect(run.stderr).toContain(message)
  expect(run.code).not.toBe(0)
  expect(run.code).not.toBeNull()
  expect(run.tests).toEqual([])
  expect(run.starts).toEqual([])
}

/** Every service the run started is gone, with its temp dir. */
export function expectNothingLeft(run: NestedRun): void {
  for (const start of run.starts) {
    expect(alive(start.pid)).toBe(false)
    expect(existsSync(start.dir)).toBe(false)
  }
}
