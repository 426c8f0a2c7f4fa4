/** Where a NATS server is and how to log in, as a provider finds it. Plain data: it travels to workers. */
export interface NatsFound {
  /** `nats://host:port` URLs, without credentials. */
  servers: string[]
  user?: string
  pass?: string
  token?: string
  /** Where the credentials came from, for error messages that must never show them. */
  credentialsSource: string
  /** Started by Testbed for this run (nobody else's data lives there). */
  throwaway?: boolean
}

/** What tests get: the server, the streams provisioning made, and the run's id for per-test names. */
export interface NatsConnection extends NatsFound {
  /** The streams provisioning created or updated from the config. */
  streams: string[]
  /** Per-test subjects are `testbed.<run>.…` and per-test streams `testbed_<run>_…`. */
  run: string
}

function withAuth(server: string, auth: string): string {
  const url = new URL(server)
  return `${url.protocol}//${auth}@${url.host}`
}

/** `nats://user:pass@host:port` (a token travels in NATS_TOKEN): the NATS_URL code under test reads. */
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
