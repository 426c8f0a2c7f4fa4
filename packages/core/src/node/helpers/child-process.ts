import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'

export interface ServerProcess {
  pid: number
  /** Rejects, with the exit code and the output's tail, when the process exits before `stop()`. */
  exited: Promise<never>
  output(): string
  stop(): Promise<void>
}

export interface SpawnServerOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  uid?: number
  gid?: number
  /** Signal for a graceful stop (PostgreSQL: SIGINT, its "fast" shutdown). */
  stopSignal?: NodeJS.Signals
  stopTimeoutMs?: number
}

const TAIL = 4000

/**
 * Starts a long-running server in its own process group (so a terminal's Ctrl-C reaches Testbed first
 * and the whole group can be stopped).
 */
export async function spawnServer(
  command: string,
  args: string[],
  options: SpawnServerOptions = {},
): Promise<ServerProcess> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let tail = ''
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-TAIL)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  await Promise.race([once(child, 'spawn'), once(child, 'error').then(([e]) => Promise.reject(e))])
  const pid = child.pid as number
  child.unref()
  let stopping = false
  const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  )
  const exited = exit.then(([code, signal]) => {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
    throw new Error(
      `${command.split('/').pop()} ${how}${stopping ? ' while stopping' : ''}: ${tail.trim().split('\n').slice(-8).join('\n')}`,
    )
  })
  exited.catch(() => {})
  return {
    pid,
    exited,
    output: () => tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        return
      }
      stopping = true
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-pid, signal)
        } catch {}
      }
      signalGroup(options.stopSignal ?? 'SIGTERM')
      const timer = setTimeout(() => signalGroup('SIGKILL'), options.stopTimeoutMs ?? 5000)
      await exit
      clearTimeout(timer)
    },
  }
}

/**
 * Servers such as PostgreSQL refuse to run as root. When we are root, returns the ids of `user`
 * (Debian's `postgres`, say) to run them as; otherwise undefined (run as ourselves).
 */
export function unprivilegedIds(user: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === user)
  if (!entry) throw new Error(`running as root, and there is no '${user}' user to run the server as`)
  return { uid: Number(entry[2]), gid: Number(entry[3]) }
}
