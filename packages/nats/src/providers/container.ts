import { containerImage, diagnoseContainer, type Provider } from '@testbed/core/config'
import type { NatsFound } from '../connection.js'

export interface ContainerOptions {
  /** Default: `TESTBED_NATS_IMAGE`, else `nats:2.10-alpine`. */
  image?: string
}

/** NATS with JetStream through `@testcontainers/nats`, imported only after a Docker engine answered. */
export function containerProvider(options: ContainerOptions = {}): Provider<NatsFound> {
  const imageOf = () => containerImage('nats', options.image, 'nats:2.10-alpine')
  return {
    kind: 'container',
    diagnose: () => diagnoseContainer(imageOf()),
    async start(ctx) {
      const image = imageOf()
      const pass = ctx.secret()
      const container = await ctx.startContainer(image, async (labels, ports) => {
        const { NatsContainer } = await import('@testcontainers/nats')
        return (
          new NatsContainer(image)
            .withUsername('testbed')
            .withPass(pass)
            .withArg('-js')
            // JetStream keeps its streams under /tmp in the container's own filesystem, where they
            // survive a restart (`faults.restart`), as the binary provider's do in its data dir.
            .withExposedPorts(await ports.publish(4222))
            .withLabels(labels)
            .start()
        )
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
