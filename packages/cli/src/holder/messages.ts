// What the background process of `testbed up --detach` tells the command that started it, over
// Node's IPC channel, until its services are ready (then the channel closes and the command exits).
import type { ServiceEvent, SettledService } from '../live-display.js'

/** How the command asks the background process for services (its only argument, as JSON). */
export interface HoldRequest {
  cwd: string
  config?: string
  services: string[]
}

export type HolderMessage =
  | { type: 'event'; event: ServiceEvent }
  /** Every service is ready and the state file is written: the exports to print. */
  | { type: 'ready'; env: Record<string, string>; pid: number }
  /** Some service could not be had; everything was torn down. */
  | { type: 'failed'; failed: SettledService[] }
  /** The config or anything else went wrong before services could start. */
  | { type: 'error'; message: string }
