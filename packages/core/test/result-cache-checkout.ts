// A scratch checkout of a result-cache fixture suite (a git repository with one commit, node_modules
// linked), removed when the test finishes; runs of it, and what each run took from the cache.
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { type NestedRun, runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { fixturePath } from './fixture-path.ts'

const nodeModules = fixturePath('../../../../node_modules')

export interface CacheRun extends NestedRun {
  /** The files reported as taken from the cache. */
  fromCache: string[]
  /** The files that ran (each with at least one test that did not skip). */
  ran: string[]
}

export interface Checkout {
  dir: string
  head: string
  write(path: string, content: string): void
  read(path: string): string
  /** `args`: more of Vitest's command line (reporters). */
  run(env?: Record<string, string>, args?: string[]): Promise<CacheRun>
}

/** Every fixture file, relative to the suite. */
export const ALL_FILES = [
  'tests/alpha.test.ts',
  'tests/beta.test.ts',
  'tests/data-file.test.ts',
  'tests/fails-on-demand.test.ts',
  'tests/gamma.test.ts',
  'tests/notes.test.ts',
]

/** The test name in each fixture file (the JSON report names tests, not files). */
const TEST_FILE: Record<string, string> = {
  alpha: 'tests/alpha.test.ts',
  beta: 'tests/beta.test.ts',
  'data file': 'tests/data-file.test.ts',
  'fails when FIXTURE_MODE is fail': 'tests/fails-on-demand.test.ts',
  gamma: 'tests/gamma.test.ts',
  'notes table from the migrations': 'tests/notes.test.ts',
}

export function checkout(fixture = 'result-cache-suite', baseEnv: Record<string, string> = {}): Checkout {
  const base = realpathSync(scratchDir('result-cache'))
  const dir = join(base, 'repo')
  cpSync(fixturePath(fixture), dir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|\.testbed)$/.test(src),
  })
  symlinkSync(nodeModules, join(base, 'node_modules'))
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  git('init', '-q')
  git('add', '.')
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'fixture')
  return {
    dir,
    head: git('rev-parse', '--short=12', 'HEAD'),
    write: (path, content) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), content)
    },
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    async run(env = {}, args = []) {
      const run = await runVitest({
        fixture: dir,
        cwd: dir,
        args,
        // CI unset: the default mode is then readwrite (CI's is read). Verbose: each hit is listed.
        env: {
          CI: '',
          TESTBED_POSTGRES_PROVIDERS: 'binary',
          TESTBED_CACHE_VERBOSE: '1',
          ...baseEnv,
          ...env,
        },
        timeoutMs: 120_000,
      })
      const fromCache = [...run.stderr.matchAll(/^ {3}↓ \[main\] (\S+) — cached: passed at /gm)].map(
        (m) => m[1] as string,
      )
      const ran = [
        ...new Set(
          run.tests.filter((t) => t.status !== 'skipped').map((t) => TEST_FILE[t.fullName] ?? t.fullName),
        ),
      ]
      return { ...run, fromCache: fromCache.sort(), ran: ran.sort() }
    },
  }
}

/** The live processes whose working directory is `dir` or below it (what a run there left running). */
export function processesIn(dir: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`)
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(entry))
    } catch {} // gone, or not ours to read
  }
  return found
}
