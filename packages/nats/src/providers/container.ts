import { containerImage, type Provider } from '@testbed/core/config'
import type { NatsFound } from '../connection.js'

export interface ContainerOptions {
  /** Default: `TESTBED_NATS_IMAGE`, else `nats:2.10-alpine`. */
  image?: string
}

/** NATS with JetStream through `@testcontainers/nats`, imported only after a Docker engine answered. */
export function containerProvider(options: ContainerOptions = {}): Provider<NatsFound> {
  return {
    kind: 'container',
    async start(ctx) {
      const image = containerImage('nats', options.image, 'nats:2.10-alpine')
      const pass = ctx.secret()
      const container = await ctx.startContainer(image, async (labels) => {
        const { NatsContainer } = await import('@testcontainers/nats')
        return new NatsContainer(image)
          .withUsername('testbed')
          .withPass(pass)
          .withArg('-js')
          .withTmpFs({ '/tmp': 'rw' })
          .withLabels(labels)
          .start()
      })
      return {
        connection: {
          servers: [`nats://${container.getHost()}:${container.getMappedPort(4222)}`],
          user: 'testbed',
          pass,
          credentialsSource: 'the container',
          throwaway: true,
        },
        detail: image,
      }
    },
  }
}
