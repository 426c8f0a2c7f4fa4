// Services started as a test run starts them: one ServiceHub with the config's definitions, the same
// providers in the same order (TESTBED_<NAME>_PROVIDERS included), in parallel.
import type { ReadyStatus } from '@testbed/core'
import { ServiceHub, type ServiceStatus, type UpService } from '@testbed/core/config'
import { displayEvent, type ServiceEvent } from './live-display.js'
import type { LoadedConfig } from './load-config.js'

/** A hub with every service of the config, its events (nothing secret in them) going to `onEvent`. */
export function hubOf({ testbed }: LoadedConfig, onEvent: (event: ServiceEvent) => void): ServiceHub {
  const hub = new ServiceHub()
  for (const definition of testbed.services) hub.register(definition)
  hub.on((event) => onEvent(displayEvent(event)))
  return hub
}

export interface Provisioned {
  ready: ReadyStatus[]
  /** The services that could not be had; when there is one, the ready ones are torn down too. */
  failed: Array<Exclude<ServiceStatus, ReadyStatus>>
}

export async function provision(hub: ServiceHub, names: readonly string[]): Promise<Provisioned> {
  const statuses = Object.values(await hub.ensure(names))
  const ready = statuses.filter((s): s is ReadyStatus => s.state === 'ready')
  const failed = statuses.filter((s): s is Exclude<ServiceStatus, ReadyStatus> => s.state !== 'ready')
  return { ready, failed }
}

/** A ready service as the state file records it (the endpoint is already redacted by its plugin). */
export function upService(hub: ServiceHub, status: ReadyStatus, since: string): UpService {
  return {
    name: status.name,
    provider: status.provider,
    ...(status.detail && { detail: status.detail }),
    ...(status.emulated && { emulated: status.emulated }),
    found: hub.found(status.name),
    endpoint: status.endpoint,
    env: status.env,
    since,
  }
}

/** One line per service that could not be had: its reason. */
export const failureLines = (failed: ReadonlyArray<{ name: string; reason?: string }>) =>
  failed.map((s) => `${s.name}: ${s.reason}`).join('\n')
