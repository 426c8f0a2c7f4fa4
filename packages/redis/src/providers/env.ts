import {
  diagnoseDiscovery,
  existingServerReadiness,
  NotApplicable,
  type Provider,
  parseServiceUrl,
  setVariables,
} from '@testbed/core/config'
import { type RedisFound, redisFound } from '../connection.js'

/** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
export function fromUrl(value: string): RedisFound {
  const { url, host, port } = parseServiceUrl(value, {
    variable: 'REDIS_URL',
    kind: 'Redis',
    schemes: ['redis', 'rediss'],
  })
  const path = url.pathname.replace(/^\//, '')
  if (path && !/^\d+$/.test(path))
    throw new Error(
      `REDIS_URL is not a valid Redis URL: the database must be a number, not "${decodeURIComponent(path)}"`,
    )
  return redisFound({
    host,
    port: port ?? 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: decodeURIComponent(url.password),
    passwordSource: 'REDIS_URL',
    db: Number(path || 0),
    tls: url.protocol === 'rediss:' || undefined,
  })
}

function fromEnv(env: NodeJS.ProcessEnv): RedisFound {
  if (!env.REDIS_URL) throw new NotApplicable('REDIS_URL is not set')
  return fromUrl(env.REDIS_URL)
}

/** An existing server named by `REDIS_URL`. */
export function envProvider(env: NodeJS.ProcessEnv = process.env): Provider<RedisFound> {
  return {
    kind: 'env',
    authoritative: true,
    async start() {
      return { connection: fromEnv(env), detail: 'from REDIS_URL', readiness: existingServerReadiness }
    },
    async diagnose() {
      const found = setVariables(env, ['REDIS_URL'])
      return diagnoseDiscovery(
        () => fromEnv(env),
        () => ({ applicable: true, reason: 'from REDIS_URL', found }),
        found,
      )
    },
  }
}
