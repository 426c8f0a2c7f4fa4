import {
  type ComposeServiceRef,
  defineService,
  type ReadinessPolicy,
  type ServiceDefinition,
} from '@testbed/core/config'
import { type NatsConnection, type NatsFound, natsEnv, redactedUrl } from './connection.js'
import { probeNats } from './probe.js'
import { type BinaryOptions, binaryProvider } from './providers/binary.js'
import { composeProvider } from './providers/compose.js'
import { type ContainerOptions, containerProvider } from './providers/container.js'
import { envProvider } from './providers/env.js'
import { type ProvisionOptions, provisionNats } from './provision.js'
import { deleteStreamsWithPrefix, runStreamPrefix, withManager } from './streams.js'

export interface NatsOptions extends ProvisionOptions {
  /** For `binary`: listen on this port instead of a free one. */
  port?: BinaryOptions['port']
  container?: ContainerOptions
  /** A service of a compose file (`composeStack(…).service('nats')`), tried right after `env`. */
  compose?: ComposeServiceRef
  readiness?: Partial<ReadinessPolicy>
}

/** NATS with JetStream: `env`, then `compose` (when given), `container`, `binary`. */
export function nats(options: NatsOptions = {}): ServiceDefinition<NatsConnection, NatsFound> {
  return defineService<NatsConnection, NatsFound>({
    name: 'nats',
    description: 'NATS JetStream',
    providers: [
      envProvider(),
      ...(options.compose ? [composeProvider(options.compose)] : []),
      containerProvider(options.container),
      binaryProvider({ port: options.port }),
    ],
    probe: (found, signal) => probeNats(found, signal),
    readiness: options.readiness,
    async provision(found, ctx) {
      ctx.progress('creating streams')
      const connection = await provisionNats(found, options)
      // Per-test streams carry the run's prefix; what crashed workers left of them goes at the end.
      ctx.onRelease(() =>
        withManager(found, (jsm) => deleteStreamsWithPrefix(jsm, runStreamPrefix(connection.run))).catch(
          () => {},
        ),
      )
      return connection
    },
    env: (connection) => natsEnv(connection),
    endpoint: (connection) => redactedUrl(connection),
  })
}
