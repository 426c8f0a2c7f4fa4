/** Where a Redis (or Dragonfly) server is. Plain data: it travels from the main process to workers. */
export interface RedisConnection {
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

/** A connection with its `url` filled in. */
export function redisConnection(c: Omit<RedisConnection, 'url'>): RedisConnection {
  return { ...c, url: connectionUrl(c) }
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

export function connectionUrl(c: Omit<RedisConnection, 'url'>): string {
  const auth =
    c.username || c.password
      ? `${encodeURIComponent(c.username ?? '')}:${encodeURIComponent(c.password)}@`
      : ''
  return `${c.tls ? 'rediss' : 'redis'}://${auth}${hostPart(c.host)}:${c.port}/${c.db}`
}

export function redactedUrl(c: RedisConnection): string {
  const auth = c.username || c.password ? `${encodeURIComponent(c.username ?? '')}:***@` : ''
  return `${c.tls ? 'rediss' : 'redis'}://${auth}${hostPart(c.host)}:${c.port}/${c.db}`
}

/** What code under test reads: the seed's DRAGONFLY_HOST/PORT too. */
export function connectionEnv(c: RedisConnection): Record<string, string> {
  return {
    REDIS_URL: c.url,
    DRAGONFLY_HOST: c.host,
    DRAGONFLY_PORT: String(c.port),
  }
}
