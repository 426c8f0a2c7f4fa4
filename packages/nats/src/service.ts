import {
  type ComposeServiceRef,
  defineService,
  type ReadinessPolicy,
  type ServiceDefinition,
} from '@testbed/core/config'
import { type NatsConfig, type NatsFound, natsEnv, redactedUrl } from './connection.js'
import { probeNats } from './probe.js'
import { type BinaryOptions, binaryProvider } from './providers/binary-provider.js'
import { composeProvider } from './providers/compose-provider.js'
import { type ContainerOptions, containerProvider } from './providers/container-provider.js'
import { envProvider } from './providers/env-provider.js'
import {
  deleteStreamsWithPrefix,
  type ProvisionOptions,
  provisionNats,
  runStreamPrefix,
  withManager,
} from './provision.js'

export interface NatsOptions extends ProvisionOptions {
  /** For `binary`: listen on this port instead of a free one. */
  port?: BinaryOptions['port']
  container?: ContainerOptions
  /** A service of a compose file (`composeStack(…).service('nats')`), tried right after `env`. */
  compose?: ComposeServiceRef
  readiness?: Partial<ReadinessPolicy>
}

/** NATS with JetStream: `env`, then `compose` (when given), `container`, `binary`. */
export function nats(options: NatsOptions = {}): ServiceDefinition<NatsConfig, NatsFound> {
  return defineService<NatsConfig, NatsFound>({
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
