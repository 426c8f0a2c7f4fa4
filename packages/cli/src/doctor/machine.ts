// What the machine offers every service: Node against the repository's `engines`, the Docker engine
// (bounded: a socket that accepts and never answers is reported as hanging), the Compose v2 CLI.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dockerEngineInfo, findComposeCli } from '@testbed/core/config'
import semver from 'semver'

export interface NodeCheck {
  version: string
  /** `engines.node` of the repository's package.json, when it has one. */
  engines?: string
  /** `null` when there is no range to check against. */
  satisfied: boolean | null
  reason: string
}

export interface DockerCheck {
  /** DOCKER_HOST, or the local socket. */
  host: string
  /** `answers`; `hangs`: it accepted the connection (or the address swallowed it) and said nothing in time; `absent`: nothing there. */
  state: 'answers' | 'hangs' | 'absent'
  version?: string
  apiVersion?: string
  os?: string
  reason: string
  ms: number
}

export interface ComposeCheck {
  found: boolean
  command?: string
  version?: string
  reason: string
  ms: number
}

export interface MachineChecks {
  node: NodeCheck
  docker: DockerCheck
  compose: ComposeCheck
}

async function nodeCheck(root: string): Promise<NodeCheck> {
  const version = process.version
  const file = join(root, 'package.json')
  let engines: string | undefined
  try {
    engines = (JSON.parse(await readFile(file, 'utf8')) as { engines?: { node?: string } }).engines?.node
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is none' : (error as Error).message
    return { version, satisfied: null, reason: `no engines to check: ${file}: ${why}` }
  }
  if (!engines) return { version, satisfied: null, reason: `${file} sets no engines.node` }
  if (!semver.validRange(engines))
    return {
      version,
      engines,
      satisfied: null,
      reason: `engines.node ${JSON.stringify(engines)} is not a semver range`,
    }
  const satisfied = semver.satisfies(version, engines, { includePrerelease: true })
  return {
    version,
    engines,
    satisfied,
    reason: satisfied
      ? `satisfies engines.node ${engines} (package.json)`
      : `does not satisfy engines.node ${engines} (package.json)`,
  }
}

const timed = async <T>(check: () => Promise<Omit<T, 'ms'>>): Promise<T> => {
  const began = performance.now()
  const result = await check()
  return { ...result, ms: Math.round(performance.now() - began) } as T
}

function dockerCheck(): Promise<DockerCheck> {
  const host = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'
  return timed<DockerCheck>(async () => {
    try {
      const info = await dockerEngineInfo()
      return {
        host: info.host,
        state: 'answers',
        version: info.version,
        apiVersion: info.apiVersion,
        os: info.os,
        reason: `Docker ${info.version}, API ${info.apiVersion} (${info.os})`,
      }
    } catch (error) {
      const reason = (error as Error).message
      // The probe's words for an engine that took the connection (or never completed it) and said nothing in time.
      const hangs = /did not answer|within \d+ ms/.test(reason)
      return { host, state: hangs ? 'hangs' : 'absent', reason }
    }
  })
}

function composeCheck(): Promise<ComposeCheck> {
  return timed<ComposeCheck>(async () => {
    try {
      const cli = await findComposeCli()
      const command = cli.command.join(' ')
      return { found: true, command, version: cli.version, reason: `${command} ${cli.version} (Compose v2)` }
    } catch (error) {
      return { found: false, reason: (error as Error).message }
    }
  })
}

export async function machineChecks(root: string): Promise<MachineChecks> {
  const [node, docker, compose] = await Promise.all([nodeCheck(root), dockerCheck(), composeCheck()])
  return { node, docker, compose }
}
