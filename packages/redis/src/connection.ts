/** Where a Redis (or Dragonfly) server is, as a provider found it. Plain data: it travels from the main process to workers. */
export interface RedisFound {
  host: string
  port: number
  /** ACL user, when the URL names one; else the server's `default` user. */
  username?: string
  password: string
  /** Where the password came from, for error messages that must never show the password itself. */
  passwordSource: string
  db: number
  /** `redis://:<password>@<host>:<port>/<db>`; also what the exported `REDIS_URL` is. */
  url: string
  /** `rediss://`: TLS. */
  tls?: boolean
  /** Started by Testbed for this run. */
  throwaway?: boolean
}

/**
 * The server as tests get it. Redis is not provisioned: a test's keys carry a prefix of its own,
 * which needs nothing made in advance, so tests get what the provider found.
 */
export type RedisConnection = RedisFound

/** What a provider returns, with its `url` filled in. */
export function redisFound(c: Omit<RedisFound, 'url'>): RedisFound {
  return { ...c, url: redisUrl(c) }
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** `redis://[<user>]:<password>@<host>:<port>/<db>` (`rediss://` for TLS). */
export function redisUrl(c: Omit<RedisFound, 'url'>): string {
  const auth =
    c.username || c.password
      ? `${encodeURIComponent(c.username ?? '')}:${encodeURIComponent(c.password)}@`
      : ''
  return `${c.tls ? 'rediss' : 'redis'}://${auth}${hostPart(c.host)}:${c.port}/${c.db}`
}

/** The URL with the password replaced by `***`: for the service table and error messages. */
export function redactedUrl(c: RedisFound): string {
  const auth = c.username || c.password ? `${encodeURIComponent(c.username ?? '')}:***@` : ''
  return `${c.tls ? 'rediss' : 'redis'}://${auth}${hostPart(c.host)}:${c.port}/${c.db}`
}

/**
 * What code under test reads: `REDIS_URL`, and `DRAGONFLY_HOST`/`DRAGONFLY_PORT` for code that takes
 * host and port apart.
 */
export function redisEnv(c: RedisConnection): Record<string, string> {
  return {
    REDIS_URL: c.url,
    DRAGONFLY_HOST: c.host,
    DRAGONFLY_PORT: String(c.port),
  }
}
