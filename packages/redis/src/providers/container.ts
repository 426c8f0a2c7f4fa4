import { containerImage, diagnoseContainer, type Provider, testcontainersOf } from '@testbed/core/config'
import type * as Testcontainers from 'testcontainers'
import { type RedisFound, redisFound } from '../connection.js'
import { SERVER_PASSWORD_SOURCE as passwordSource } from './server-password.js'

export interface ContainerOptions {
  /** Default: `TESTBED_REDIS_IMAGE`, else `redis:7-alpine`. An image named `…dragonfly…` runs Dragonfly. */
  image?: string
}

const PORT = 6379

/**
 * Redis through `@testcontainers/redis`, or Dragonfly in a generic container, imported only after a
 * Docker engine answered the probe. No persistence; a random password.
 */
export function containerProvider(options: ContainerOptions = {}): Provider<RedisFound> {
  const imageOf = () => containerImage('redis', options.image, 'redis:7-alpine')
  return {
    kind: 'container',
    diagnose: () => diagnoseContainer(imageOf()),
    async start(ctx) {
      const image = imageOf()
      const password = ctx.secret()
      const dragonfly = image.toLowerCase().includes('dragonfly')
      const container = await ctx.startContainer(image, async (labels, ports) => {
        if (dragonfly) {
          const { GenericContainer, Wait } = testcontainersOf<typeof Testcontainers>(
            '@testcontainers/redis',
            import.meta.url,
          )
          return new GenericContainer(image)
            .withLabels(labels)
            .withExposedPorts(await ports.publish(PORT))
            .withCommand(['dragonfly', '--logtostderr', '--proactor_threads=2', `--requirepass=${password}`])
            .withWaitStrategy(Wait.forListeningPorts())
            .start()
        }
        const { RedisContainer } = await import('@testcontainers/redis')
        return new RedisContainer(image)
          .withLabels(labels)
          .withPassword(password)
          .withExposedPorts(await ports.publish(PORT))
          .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
          .start()
      })
      return {
        connection: redisFound({
          host: container.getHost(),
          port: container.getMappedPort(PORT),
          password,
          passwordSource,
          db: 0,
          throwaway: true,
        }),
        detail: dragonfly ? `${image} (Dragonfly)` : image,
      }
    },
  }
}
