import { type ComposeServiceRef, composeServiceProvider, type Provider } from '@testbed/core/config'
import { type RedisFound, redisFound } from '../connection.js'

/**
 * A service of a compose file (`redis({ compose: stack.service('dragonfly') })`), Redis or Dragonfly:
 * its published 6379, and the password in its `REDIS_PASSWORD` (or Dragonfly's `DFLY_requirepass`).
 */
export function composeProvider(ref: ComposeServiceRef): Provider<RedisFound> {
  return composeServiceProvider(ref, ({ host, port, environment, service }) => {
    const variable = ['REDIS_PASSWORD', 'DFLY_requirepass'].find((name) => environment[name])
    return redisFound({
      host,
      port: port(6379),
      password: variable ? (environment[variable] as string) : '',
      passwordSource: variable ? `${service}'s ${variable}` : `the compose service ${service}`,
      db: 0,
      throwaway: true,
    })
  })
}
