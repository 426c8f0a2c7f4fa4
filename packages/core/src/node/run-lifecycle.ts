import type { Vitest } from 'vitest/node'
import type { ServiceDefinition } from './define-service.js'
import { HubServer } from './hub-server.js'
import { ServiceHub } from './service-hub.js'

export interface Run {
  hub: ServiceHub
  server: HubServer
}

// One run per main process, however many pipelines (projects) are configured; kept on globalThis
// because each project may load this module through its own module graph.
const RUN = Symbol.for('testbed.run')
type Holder = { [RUN]?: Promise<Run> }

/** Starts the hub's loopback server once per main process and stops every service when Vitest closes. */
export function joinRun(vitest: Vitest, services: readonly ServiceDefinition<unknown>[]): Promise<Run> {
  const holder = globalThis as Holder
  holder[RUN] ??= (async () => {
    const hub = new ServiceHub()
    const server = new HubServer(hub)
    await server.listen()
    vitest.onClose(async () => {
      await server.close()
      await hub.stopAll()
      delete holder[RUN]
    })
    return { hub, server }
  })()
  return holder[RUN].then((run) => {
    for (const service of services) run.hub.register(service)
    return run
  })
}
