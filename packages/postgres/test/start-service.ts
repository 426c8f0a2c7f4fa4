// Runs the postgres service definition through core's hub in this process, as a test run would,
// with the given environment (provider order, DATABASE_URL, TESTBED_TMPDIR …) in force meanwhile.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ServiceHub, type ServiceStatus } from '@testbed/core/config'
import { afterEach } from 'vitest'
import type { PostgresConnection } from '../src/connection.ts'
import { type PostgresOptions, postgres } from '../src/service.ts'

const hubs: ServiceHub[] = []
const tempRoots: string[] = []
const scrub = /^(DATABASE_URL|PG\w+|TESTBED_POSTGRES_PROVIDERS|TESTBED_TMPDIR|DOCKER_HOST)$/

export interface Started {
  hub: ServiceHub
  status: ServiceStatus<PostgresConnection>
  /** The dedicated TESTBED_TMPDIR of this start: empty again once the hub stopped. */
  tempRoot: string
}

export async function startPostgres(
  env: Record<string, string>,
  options: PostgresOptions = {},
): Promise<Started> {
  const saved = { ...process.env }
  for (const key of Object.keys(process.env)) if (scrub.test(key)) delete process.env[key]
  const tempRoot = mkdtempSync(join(tmpdir(), 'pg-provider-test-'))
  chmodSync(tempRoot, 0o755) // the server runs as the postgres user when we are root
  tempRoots.push(tempRoot)
  Object.assign(process.env, { TESTBED_TMPDIR: tempRoot, ...env })
  const hub = new ServiceHub()
  hubs.push(hub)
  hub.register(postgres(options))
  try {
    const { postgres: status } = await hub.ensure(['postgres'])
    return { hub, status: status as ServiceStatus<PostgresConnection>, tempRoot }
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

export function ready(started: Started): PostgresConnection {
  if (started.status.state !== 'ready')
    throw new Error(`expected postgres to be ready: ${started.status.reason}`)
  return started.status.connection
}

/** Stops the hub and checks that it left nothing in its temp root. */
export async function stopAndCheck(started: Started): Promise<string[]> {
  await started.hub.stopAll()
  const left = started.tempRoot.startsWith(tmpdir()) ? readdirSync(started.tempRoot) : []
  rmSync(started.tempRoot, { recursive: true, force: true })
  return left
}

afterEach(async () => {
  await Promise.allSettled(hubs.splice(0).map((hub) => hub.stopAll()))
  for (const dir of tempRoots.splice(0)) rmSync(dir, { recursive: true, force: true })
})
