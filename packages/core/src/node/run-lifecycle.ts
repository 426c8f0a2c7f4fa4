import type { Vitest } from 'vitest/node'
import { processSingleton } from '../shared/process-singleton.js'
import type { ServiceDefinition } from './define-service.js'
import { HubServer } from './hub-server.js'
import { isSet, SKIP_CACHE } from './policy/skip-variables.js'
import { ServiceHub } from './service-hub.js'
import { watchServices } from './service-watch.js'
import { upReuse } from './up-state/run-reuse.js'

export interface Run {
  hub: ServiceHub
  server: HubServer
}

// One run per main process, however many pipelines (projects) are configured, shared by the module
// graphs each project may load this module through. Vitest closing ends it; a later run starts anew.
const current = processSingleton('run', (): { run?: Promise<Run> } => ({}))

/** Starts the hub's loopback server once per main process and stops every service when Vitest closes. */
export function joinRun(vitest: Vitest, services: readonly ServiceDefinition<unknown>[]): Promise<Run> {
  current.run ??= (async () => {
    const hub = new ServiceHub()
    // TESTBED_SKIP_CACHE: nothing from before this run, so not the services a `testbed up` holds.
    hub.offerUp(
      isSet(process.env[SKIP_CACHE])
        ? { note: `not used: ${SKIP_CACHE} is set` }
        : await upReuse(vitest.config.root),
    )
    const server = new HubServer(hub)
    await server.listen()
    vitest.onClose(async () => {
      await server.close()
      await hub.stopAll()
      delete current.run
    })
    return { hub, server }
  })()
  return current.run.then((run) => {
    for (const service of services) run.hub.register(service)
    watchServices(vitest, services, (name) => run.hub.forgetBroken(name))
    return run
  })
}
