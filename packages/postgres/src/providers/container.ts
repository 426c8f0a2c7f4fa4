import { containerImage, type Provider } from '@testbed/core/config'
import type { PostgresFound } from '../connection.js'
import { settingsArgs } from '../server-settings.js'

export interface ContainerOptions {
  /** Default: `TESTBED_POSTGRES_IMAGE`, else `postgres:17-alpine`. */
  image?: string
  /** Server settings on top of Testbed's test settings. */
  settings?: Record<string, string>
}

/** A container through testcontainers, imported only after a Docker engine answered the probe. */
export function containerProvider(options: ContainerOptions = {}): Provider<PostgresFound> {
  return {
    kind: 'container',
    async start(ctx) {
      const image = containerImage('postgres', options.image, 'postgres:17-alpine')
      const container = await ctx.startContainer(image, async (labels) => {
        const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
        return new PostgreSqlContainer(image)
          .withLabels(labels)
          .withCommand(['postgres', ...settingsArgs(options.settings)])
          .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
          .start()
      })
      return {
        connection: {
          host: container.getHost(),
          port: container.getPort(),
          user: container.getUsername(),
          password: container.getPassword(),
          database: container.getDatabase(),
          throwaway: true,
        },
        detail: image,
      }
    },
  }
}
