// Runs the real `testbed` bin in a child process against a checkout of the fixture repository, and
// finds what a run left behind (processes, temp dirs) through /proc.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'

export const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const fixture = fileURLToPath(new URL('./fixtures/repo', import.meta.url))
const nodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url))

/** Fast providers: the machine's binaries and Testbed's emulators (no containers to start). */
export const FAST_PROVIDERS = {
  TESTBED_POSTGRES_PROVIDERS: 'binary',
  TESTBED_REDIS_PROVIDERS: 'binary',
  TESTBED_NATS_PROVIDERS: 'binary',
  TESTBED_S3_PROVIDERS: 'embedded',
  TESTBED_VAULT_PROVIDERS: 'embedded',
}

/** This process's environment without what would point the child at services or change its mode. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of Object.keys(env))
    if (
      /^(VITEST|TESTBED_|PG|DATABASE_URL$|REDIS_URL$|NATS_|VAULT_|AWS_|S3_|AUTH0_|GITHUB_ENV$)/.test(key) ||
      key === 'NODE_ENV'
    )
      delete env[key]
  return { ...env, ...FAST_PROVIDERS, ...extra }
}

/** A fresh copy of the fixture repository in a temp dir (its node_modules: this repository's). */
export function checkout(): { dir: string; remove: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cli-up-repo-')))
  cpSync(fixture, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|\.testbed)$/.test(src) })
  symlinkSync(nodeModules, join(dir, 'node_modules'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

export interface Running {
  child: ChildProcessWithoutNullStreams
  stdout: () => string
  stderr: () => string
  /** Resolves once stderr matches `pattern` (rejects if the command exits first). */
  stderrMatches: (pattern: RegExp) => Promise<RegExpMatchArray>
  /** The same for stdout (which reaches this process by its own pipe, in no order with stderr). */
  stdoutMatches: (pattern: RegExp) => Promise<RegExpMatchArray>
  finished: Promise<Finished>
}

export function start(args: string[], cwd: string, env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: childEnv(env) })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const waiter of waiters) waiter()
  }
  child.stdout.on('data', (chunk) => {
    stdout += chunk
    wake()
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
    wake()
  })
  const finished = new Promise<Finished>((resolve) =>
    child.once('close', (code) => {
      resolve({ code, stdout, stderr })
      wake()
    }),
  )
  let exited = false
  void finished.then(() => {
    exited = true
  })
  const matches = (read: () => string, pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(read())
        if (match) {
          waiters.delete(check)
          resolve(match)
        } else if (exited) {
          waiters.delete(check)
          reject(
            new Error(`testbed ${args.join(' ')} exited before its output matched ${pattern}:\n${stderr}`),
          )
        }
      }
      waiters.add(check)
      check()
    })
  const stderrMatches = (pattern: RegExp) => matches(() => stderr, pattern)
  const stdoutMatches = (pattern: RegExp) => matches(() => stdout, pattern)
  return { child, stdout: () => stdout, stderr: () => stderr, stderrMatches, stdoutMatches, finished }
}

/** Runs `testbed <args>` to its end. */
export const testbed = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  start(args, cwd, env).finished

/** Every live process below `pid` (its children, theirs, …), read from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
    } catch {}
  }
  const found: number[] = []
  const visit = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      found.push(child)
      visit(child)
    }
  }
  visit(pid)
  return found
}

/** The temp dirs (Testbed's `testbed-…`) that these processes run in or name on their command line. */
export function tempDirsOf(pids: readonly number[]): string[] {
  const dirs = new Set<string>()
  const pattern = /(?:\/tmp|\/dev\/shm)\/testbed-[^/\s\0]+/g
  for (const pid of pids) {
    try {
      for (const m of readFileSync(`/proc/${pid}/cmdline`, 'utf8').matchAll(pattern)) dirs.add(m[0])
      for (const m of readlinkSync(`/proc/${pid}/cwd`).matchAll(pattern)) dirs.add(m[0])
    } catch {}
  }
  return [...dirs]
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The background processes of `testbed up --detach` running for checkout `dir`. */
export function holdersOf(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        return cmdline.includes('holder/main.js') && cmdline.includes(JSON.stringify(dir))
      } catch {
        return false
      }
    })
    .map(Number)
}

/** A checkout for this test, removed when it ends, with any `up` background process left in it killed. */
export function checkoutForTest(): string {
  const { dir, remove } = checkout()
  onTestFinished(() => {
    for (const pid of holdersOf(dir)) process.kill(pid, 'SIGKILL')
    remove()
  })
  return dir
}
