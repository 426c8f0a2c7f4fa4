import { existingServerReadiness, NotApplicable, type Provider } from '@testbed/core/config'
import { type RedisConnection, redisConnection } from '../connection.js'

function invalid(reason: string): Error {
  return new Error(`REDIS_URL is not a valid Redis URL: ${reason}`)
}

/** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
export function fromUrl(url: string): RedisConnection {
  if (!URL.canParse(url)) throw invalid('Invalid URL')
  const parsed = new URL(url)
  if (!/^rediss?:$/.test(parsed.protocol)) throw invalid('it must start with redis:// or rediss://')
  if (!parsed.hostname) throw invalid('it names no host')
  const path = parsed.pathname.replace(/^\//, '')
  if (path && !/^\d+$/.test(path))
    throw invalid(`the database must be a number, not "${decodeURIComponent(path)}"`)
  return redisConnection({
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: decodeURIComponent(parsed.password),
    passwordSource: 'REDIS_URL',
    db: Number(path || 0),
    tls: parsed.protocol === 'rediss:' || undefined,
  })
}

/** An existing server named by `REDIS_URL`. */
export function envProvider(env: NodeJS.ProcessEnv = process.env): Provider<RedisConnection> {
  return {
    kind: 'env',
    authoritative: true,
    async start() {
      if (!env.REDIS_URL) throw new NotApplicable('REDIS_URL is not set')
      return {
        connection: fromUrl(env.REDIS_URL),
        detail: 'from REDIS_URL',
        readiness: existingServerReadiness,
      }
    },
  }
}
