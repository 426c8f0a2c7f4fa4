import { defineService, type ServiceDefinition } from '@testbed/core/config'
import { connectionEnv, type RedisConnection, redactedUrl } from './connection.js'
import { probeRedis } from './probe.js'
import { type BinaryOptions, binaryProvider } from './providers/binary-provider.js'
import { type ContainerOptions, containerProvider } from './providers/container-provider.js'
import { envProvider } from './providers/env-provider.js'

export interface RedisOptions {
  /** For `binary`: listen on this port instead of a free one. */
  port?: BinaryOptions['port']
  container?: ContainerOptions
}

/** Redis (or Dragonfly): `env`, then `container`, `binary`. */
export function redis(options: RedisOptions = {}): ServiceDefinition<RedisConnection> {
  return defineService<RedisConnection>({
    name: 'redis',
    description: 'Redis',
    providers: [envProvider(), containerProvider(options.container), binaryProvider({ port: options.port })],
    probe: (connection, signal) => probeRedis(connection, signal),
    env: (connection) => connectionEnv(connection),
    endpoint: (connection) => redactedUrl(connection),
  })
}
