// Runs a service definition through core's hub in this process, as a test run would, with the
// given environment (provider order, addresses, TESTBED_TMPDIR …) in force while it starts.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ServiceDefinition, ServiceHub, type ServiceStatus } from '@testbed/core/config'
import { afterEach } from 'vitest'

const hubs: ServiceHub[] = []
const tempRoots: string[] = []

export interface Started<Connection> {
  hub: ServiceHub
  status: ServiceStatus<Connection>
  /** The dedicated TESTBED_TMPDIR of this start: empty again once the hub stopped. */
  tempRoot: string
}

/** `scrub`: variables of this process the start must not see (the service's own address, say). */
export async function startService<Connection, Found>(
  definition: ServiceDefinition<Connection, Found>,
  env: Record<string, string>,
  scrub: RegExp,
): Promise<Started<Connection>> {
  const saved = { ...process.env }
  for (const key of Object.keys(process.env))
    if (scrub.test(key) || /^(TESTBED_TMPDIR|DOCKER_HOST)$/.test(key)) delete process.env[key]
  const tempRoot = mkdtempSync(join(tmpdir(), `${definition.name}-provider-test-`))
  chmodSync(tempRoot, 0o755) // servers may run as another user (PostgreSQL as postgres, when we are root)
  tempRoots.push(tempRoot)
  Object.assign(process.env, { TESTBED_TMPDIR: tempRoot, ...env })
  const hub = new ServiceHub()
  hubs.push(hub)
  hub.register(definition as ServiceDefinition<unknown>)
  try {
    const statuses = await hub.ensure([definition.name])
    return { hub, status: statuses[definition.name] as ServiceStatus<Connection>, tempRoot }
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

export function ready<Connection>(started: Started<Connection>): Connection {
  if (started.status.state !== 'ready')
    throw new Error(`expected ${started.status.name} to be ready: ${started.status.reason}`)
  return started.status.connection
}

export function reasonOf(started: Started<unknown>): string {
  return started.status.state === 'ready' ? '(ready)' : started.status.reason
}

/** Stops the hub and lists what it left in its temp root (nothing, when all is well). */
export async function stopAndCheck(started: Started<unknown>): Promise<string[]> {
  await started.hub.stopAll()
  const left = readdirSync(started.tempRoot)
  rmSync(started.tempRoot, { recursive: true, force: true })
  return left
}

afterEach(async () => {
  await Promise.allSettled(hubs.splice(0).map((hub) => hub.stopAll()))
  for (const dir of tempRoots.splice(0)) rmSync(dir, { recursive: true, force: true })
})
