import { execFile } from 'node:child_process'
import { NotApplicable } from '../../shared/errors.js'

export interface ComposeCli {
  /** `['docker', 'compose']`, or a standalone binary: `['/usr/local/bin/docker-compose']`. */
  command: string[]
  /** A path when standalone: what testcontainers is told to run. */
  standalone?: string
  version: string
}

function run(command: string[], args: string[]): Promise<string> {
  const [program = 'docker', ...rest] = command
  return new Promise((resolve, reject) => {
    execFile(program, [...rest, ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error((stderr.trim() || error.message).split('\n')[0]))
      else resolve(stdout.trim())
    })
  })
}

const found = new Map<string, Promise<ComposeCli>>()

/**
 * The Compose v2 CLI testcontainers drives: the `docker compose` plugin, or the standalone binary at
 * `executable` (also TESTBED_COMPOSE_EXECUTABLE). NotApplicable when there is none, or only v1.
 * Asked once per executable per run: every plugin mapping a service of a stack shares the answer.
 */
export function findComposeCli(executable = process.env.TESTBED_COMPOSE_EXECUTABLE): Promise<ComposeCli> {
  const key = executable ?? ''
  let cli = found.get(key)
  if (!cli) {
    cli = askComposeCli(executable)
    found.set(key, cli)
  }
  return cli
}

async function askComposeCli(executable: string | undefined): Promise<ComposeCli> {
  const command = executable ? [executable] : ['docker', 'compose']
  const shown = command.join(' ')
  const version = await run(command, ['version', '--short']).catch((error: Error) => {
    throw new NotApplicable(`no Compose v2 CLI: \`${shown} version\` failed: ${error.message}`)
  })
  const major = Number(/^v?(\d+)\./.exec(version)?.[1])
  if (!(major >= 2))
    throw new NotApplicable(
      `${shown} is Compose ${version}; testcontainers drives Compose v2 (\`docker compose\`)`,
    )
  return { command, standalone: executable, version }
}
