/**
 * Testbed's reaper: a detached process that outlives the test run's main process. The main process
 * registers every process group, temp dir, container and compose project it creates by writing JSON
 * lines to our stdin. When stdin closes (graceful teardown, Ctrl-C, a crash, or SIGKILL) we release whatever is still
 * registered. testcontainers' Ryuk does the same for containers; it needs an image this machine lacks.
 */
import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'

type Kind = 'process' | 'dir' | 'container' | 'compose'
interface Line {
  op: 'add' | 'remove'
  kind: Kind
  id: string
  dockerSocket?: string
  /** For a compose project: the compose CLI, `['docker', 'compose']` or a standalone binary. */
  command?: string[]
}

const held = new Map<string, Line>()

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function stopProcessGroup(pid: number): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(-pid, signal)
    } catch {
      return
    }
    for (let i = 0; i < 30 && alive(pid); i++) await sleep(100)
    if (!alive(pid)) return
  }
}

function dockerApi(socketPath: string, method: string, path: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ socketPath, method, path, timeout: 10_000 })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk) => {
        body += chunk
      })
      res.on('end', () => resolve(body))
    })
    req.on('error', () => resolve(''))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

/** `id` is a container id, or a `label=value` naming every container of a run. */
async function removeContainers(id: string, socketPath: string): Promise<void> {
  let ids = [id]
  if (id.includes('=')) {
    const filters = encodeURIComponent(JSON.stringify({ label: [id] }))
    const listed = await dockerApi(socketPath, 'GET', `/containers/json?all=1&filters=${filters}`)
    ids = listed ? (JSON.parse(listed) as Array<{ Id: string }>).map((c) => c.Id) : []
  }
  await Promise.all(ids.map((c) => dockerApi(socketPath, 'DELETE', `/containers/${c}?force=true&v=true`)))
}

/** `down` needs no compose file: the project's name finds its containers, networks and volumes. */
function composeDown(project: string, command: string[]): Promise<void> {
  const [program = 'docker', ...args] = command
  return new Promise((resolve) => {
    execFile(
      program,
      [...args, '-p', project, 'down', '--volumes', '--timeout', '0'],
      { timeout: 120_000 },
      () => resolve(),
    )
  })
}

async function release(line: Line): Promise<void> {
  if (line.kind === 'process') await stopProcessGroup(Number(line.id))
  else if (line.kind === 'compose') await composeDown(line.id, line.command ?? ['docker', 'compose'])
  else if (line.kind === 'container')
    await removeContainers(line.id, line.dockerSocket ?? '/var/run/docker.sock')
  else await rm(line.id, { recursive: true, force: true, maxRetries: 3 })
}

const input = createInterface({ input: process.stdin })
input.on('line', (text) => {
  const line = JSON.parse(text) as Line
  const key = `${line.kind}:${line.id}`
  if (line.op === 'add') held.set(key, line)
  else held.delete(key)
})
input.on('close', async () => {
  const order: Kind[] = ['compose', 'container', 'process', 'dir']
  for (const kind of order) {
    await Promise.all([...held.values()].filter((l) => l.kind === kind).map(release))
  }
  process.exit(0)
})
