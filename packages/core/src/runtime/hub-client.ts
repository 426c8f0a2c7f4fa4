import { inject } from 'vitest'
import { processSingleton } from '../shared/process-singleton.js'
import type { TestbedContext } from '../shared/provided-context.js'
import type { ServiceStatus } from '../shared/service-status.js'

// Shared by every module graph in this worker (setup file, fixtures, test files).
const cache = processSingleton('worker.services', () => new Map<string, Promise<ServiceStatus>>())

export function testbedContext(): TestbedContext {
  const context = inject('testbed')
  if (!context) {
    throw new Error(
      'Testbed is not configured for this Vitest project: build its projects with defineTestbed() in vitest.workspace.ts',
    )
  }
  return context
}

async function request(context: TestbedContext, services: string[]): Promise<Record<string, ServiceStatus>> {
  const response = await fetch(`${context.hubUrl}/ensure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-testbed-token': context.hubToken },
    body: JSON.stringify({ services }),
  })
  if (!response.ok) throw new Error(`testbed hub answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as Record<string, ServiceStatus>
}

/**
 * Asks the main process for services (it starts each at most once per run) and exports each ready
 * service's variables into this worker's environment, where code under test reads them.
 */
export function ensureServices(names: readonly string[]): Promise<ServiceStatus[]> {
  const missing = names.filter((name) => !cache.has(name))
  if (missing.length) {
    const batch = request(testbedContext(), missing).then((statuses) => {
      for (const status of Object.values(statuses))
        if (status.state === 'ready') Object.assign(process.env, status.env)
      return statuses
    })
    for (const name of missing) {
      const one = batch.then((statuses) => statuses[name] as ServiceStatus)
      one.catch(() => cache.delete(name))
      cache.set(name, one)
    }
  }
  return Promise.all(names.map((name) => cache.get(name) as Promise<ServiceStatus>))
}

/**
 * Has the main process stop a server it started and start it again on the same endpoint; resolves
 * once the server answers its probe again. Rejects with the hub's reason when it refuses (a service
 * Testbed did not start, one it does not know).
 */
export async function restartService(service: string): Promise<void> {
  const context = testbedContext()
  const response = await fetch(`${context.hubUrl}/restart`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-testbed-token': context.hubToken },
    body: JSON.stringify({ service }),
  })
  if (response.status === 409) throw new Error(await response.text())
  if (!response.ok) throw new Error(`testbed hub answered ${response.status}: ${await response.text()}`)
}
