import type { ConnectionOptions } from '@nats-io/transport-node'

/** Where a NATS server is and how to log in. Plain data: it travels from the main process to workers. */
export interface NatsConfig {
  /** `nats://host:port` URLs, without credentials. */
  servers: string[]
  user?: string
  pass?: string
  token?: string
  /** Where the credentials came from, for error messages that must never show them. */
  credentialsSource: string
  /** Started by Testbed for this run (nobody else's data lives there). */
  throwaway?: boolean
  /** The streams provisioning created or updated from the config. */
  streams: string[]
  /** Per-test subjects are `testbed.<run>.…` and per-test streams `testbed_<run>_…`; set by provisioning. */
  run: string
}

/** What a provider finds; provisioning adds the streams and the run's prefix. */
export type NatsFound = Omit<NatsConfig, 'streams' | 'run'>

/** Options for `connect()` from `@nats-io/transport-node`. */
export function connectOptions(c: NatsFound, extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    servers: c.servers,
    ...(c.user !== undefined ? { user: c.user, pass: c.pass ?? '' } : {}),
    ...(c.token !== undefined ? { token: c.token } : {}),
    ...extra,
  }
}

function withAuth(server: string, auth: string): string {
  const url = new URL(server)
  return `${url.protocol}//${auth}@${url.host}`
}

/** `nats://user:pass@host:port` (a token travels in NATS_TOKEN), as the seed's NATS_URL. */
export function natsUrl(c: NatsFound): string {
  if (c.user === undefined) return c.servers.join(',')
  const auth = `${encodeURIComponent(c.user)}:${encodeURIComponent(c.pass ?? '')}`
  return c.servers.map((s) => withAuth(s, auth)).join(',')
}

/** The servers with any secret replaced by `***`: for the service table and error messages. */
export function redactedUrl(c: NatsFound): string {
  if (c.user !== undefined)
    return c.servers.map((s) => withAuth(s, `${encodeURIComponent(c.user ?? '')}:***`)).join(',')
  if (c.token !== undefined) return `${c.servers.join(',')} (token from ${c.credentialsSource})`
  return c.servers.join(',')
}

/** What code under test reads. */
export function natsEnv(c: NatsFound): Record<string, string> {
  return { NATS_URL: natsUrl(c), ...(c.token !== undefined ? { NATS_TOKEN: c.token } : {}) }
}
