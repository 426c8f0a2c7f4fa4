import { defineFixtureSet, type FixtureSet } from '../fixture-set.js'
import { restartService } from '../hub-client.js'
import { type FaultProxy, startFaultProxy } from './fault-proxy.js'
import { recordFault } from './injected-faults.js'
import { type ProxyTarget, resolveTarget } from './proxy-target.js'

/** The `faults` fixture: proxies that break connections, and restarts of servers Testbed started. */
export interface Faults {
  /** A TCP proxy on 127.0.0.1 in front of `target`, for this test: closed, with every connection, when it ends. */
  proxy(target: ProxyTarget): Promise<FaultProxy>
  /**
   * Stops a server Testbed started (binary, embedded) and starts it again on the same endpoint;
   * resolves once it answers its probe again. Every test using the service at that moment sees it go.
   */
  restart(service: string): Promise<void>
}

export interface FaultsFixtures {
  faults: Faults
}

/** The `faults` fixture, added to any `test`: `composeFixtures(vitestTest, postgresFixtures, faultsFixtures)`. */
export const faultsFixtures: FixtureSet<FaultsFixtures> = defineFixtureSet((test) =>
  test.extend('faults', async ({ task }, { onCleanup }): Promise<Faults> => {
    const proxies: FaultProxy[] = []
    onCleanup(async () => {
      await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
    })
    return {
      async proxy(target) {
        const resolved = resolveTarget(target)
        const proxy = await startFaultProxy(resolved, (fault) => recordFault(task.meta, fault))
        proxies.push(proxy)
        return proxy
      },
      async restart(service) {
        await restartService(service)
        recordFault(task.meta, `restart ${service}`)
      },
    }
  }),
)
