import { type ComposeServiceRef, defineService, type ServiceDefinition } from '@testbed/core/config'
import { type RedisConnection, type RedisFound, redactedUrl, redisEnv } from './connection.js'
import { probeRedis } from './probe.js'
import { type BinaryOptions, binaryProvider } from './providers/binary.js'
import { composeProvider } from './providers/compose.js'
import { type ContainerOptions, containerProvider } from './providers/container.js'
import { envProvider } from './providers/env.js'

export interface RedisOptions {
  /** For `binary`: listen on this port instead of a free one. */
  port?: BinaryOptions['port']
  container?: ContainerOptions
  /** A service of a compose file (`composeStack(…).service('dragonfly')`), tried right after `env`. */
  compose?: ComposeServiceRef
}

/** Redis (or Dragonfly): `env`, then `compose` (when given), `container`, `binary`. */
export function redis(options: RedisOptions = {}): ServiceDefinition<RedisConnection, RedisFound> {
  return defineService<RedisConnection, RedisFound>({
    name: 'redis',
    description: 'Redis',
    providers: [
      envProvider(),
      ...(options.compose ? [composeProvider(options.compose)] : []),
      containerProvider(options.container),
      binaryProvider({ port: options.port }),
    ],
    probe: (found, signal) => probeRedis(found, signal),
    env: (connection) => redisEnv(connection),
    endpoint: (connection) => redactedUrl(connection),
  })
}
