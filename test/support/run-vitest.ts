// Runs Vitest on a fixture project in a child process, as a user would from a terminal, and reads
// back its JSON report, its stderr (Testbed's reporter) and the fixture services' start log.
// `fixture` is a directory; each caller resolves its own fixture projects (`new URL('./fixtures/x',
// import.meta.url)`), since they live beside the tests that run them.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const vitestBin = fileURLToPath(new URL('./vitest.mjs', import.meta.resolve('vitest/package.json')))

export interface NestedTest {
  fullName: string
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled'
  failureMessages: string[]
}

export interface NestedRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  tests: NestedTest[]
  /** `status` of the test whose full name ends with `name`. */
  status(name: string): NestedTest['status'] | undefined
  starts: Array<{ event: string; service: string; pid: number; dir: string }>
}

/** Variables a nested run must not inherit from this (Vitest worker) process. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of Object.keys(env)) {
    if (
      /^(VITEST|TESTBED_|PG|DATABASE_URL$|ECHO_|POSTGRES_|FIXTURE_)/.test(key) ||
      key === 'TEST' ||
      key === 'NODE_ENV'
    )
      delete env[key]
  }
  return env
}

export interface RunOptions {
  fixture: string
  args?: string[]
  env?: Record<string, string>
  /** The child's working directory, where relative paths in its config resolve; defaults to this process's. */
  cwd?: string
  /** Called once the child is running, e.g. to interrupt it. */
  onSpawn?: (child: ChildProcess, output: () => string) => void
  timeoutMs?: number
}

export async function runVitest({
  fixture,
  args = [],
  env = {},
  cwd,
  onSpawn,
  timeoutMs = 60_000,
}: RunOptions): Promise<NestedRun> {
  const work = mkdtempSync(join(tmpdir(), 'nested-vitest-'))
  const report = join(work, 'report.json')
  const log = join(work, 'starts.jsonl')
  try {
    const child = spawn(
      process.execPath,
      [
        vitestBin,
        'run',
        '--root',
        fixture,
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
        ...args,
      ],
      { cwd, env: { ...cleanEnv(), FIXTURE_LOG: log, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => {
      stdout += c
    })
    child.stderr.on('data', (c) => {
      stderr += c
    })
    onSpawn?.(child, () => stdout + stderr)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('close', (c, s) => resolve([c, s])),
    )
    clearTimeout(timer)
    let tests: NestedTest[] = []
    try {
      const json = JSON.parse(readFileSync(report, 'utf8')) as {
        testResults: Array<{ assertionResults: NestedTest[] }>
      }
      tests = json.testResults.flatMap((f) => f.assertionResults)
    } catch {}
    let starts: NestedRun['starts'] = []
    try {
      starts = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    } catch {}
    return {
      code,
      signal,
      stdout,
      stderr,
      tests,
      starts,
      status: (name) => tests.find((t) => t.fullName.endsWith(name))?.status,
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
