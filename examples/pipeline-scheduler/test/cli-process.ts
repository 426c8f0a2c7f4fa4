import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON (what every successful command prints). */
  json<T = unknown>(): T
}

/** Runs the scheduler CLI in its own process, as a user would, against the service at `url`. */
export async function runCli(url: string, apiKey: string, args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, SCHEDULER_URL: url, SCHEDULER_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c
  })
  const [code] = (await once(child, 'exit')) as [number | null]
  return {
    code,
    stdout,
    stderr,
    json: <T>() => {
      try {
        return JSON.parse(stdout) as T
      } catch {
        throw new Error(`the CLI printed no JSON (exit ${code}): ${stdout}${stderr}`)
      }
    },
  }
}
