// A server a test starts in its own process, as an address in the environment would name a server
// someone else runs; stopped (and its dir removed) after the test.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { rmSync } from 'node:fs'
import { afterEach } from 'vitest'

const started: Array<{ child: ChildProcess; dir?: string }> = []

export interface OutsideProcessOptions {
  /** Resolves once the output matches: a "ready" line. The match is returned. */
  ready: RegExp
  /** A directory of the server's, removed after the test. */
  dir?: string
}

export async function startOutsideProcess(
  command: string,
  args: string[],
  { ready, dir }: OutsideProcessOptions,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  started.push({ child, dir })
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let output = ''
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const found = ready.exec(output)
      if (found) resolve(found)
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${output}`)))
  })
  return { child, match }
}

/** The `testbed.run` labels of this process's containers (`<pid>-<time>`). */
export function containersOfThisProcess(): string[] {
  return execFileSync('docker', [
    'ps',
    '-a',
    '--filter',
    'label=testbed.run',
    '--format',
    '{{.Label "testbed.run"}}',
  ])
    .toString()
    .split('\n')
    .filter((run) => run.startsWith(`${process.pid}-`))
}

afterEach(async () => {
  await Promise.all(
    started.splice(0).map(async ({ child, dir }) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
      if (dir) rmSync(dir, { recursive: true, force: true })
    }),
  )
})
