import { containerImage, diagnoseContainer, type Provider } from '@testbed/core/config'
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
  const imageOf = () => containerImage('postgres', options.image, 'postgres:17-alpine')
  return {
    kind: 'container',
    diagnose: () => diagnoseContainer(imageOf()),
    async start(ctx) {
      const image = imageOf()
      const container = await ctx.startContainer(image, async (labels, ports) => {
        const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
        // The data stays in the container's own filesystem, not a tmpfs: it survives a restart
        // (`faults.restart`), and with fsync off it is written no sooner than on a tmpfs.
        return new PostgreSqlContainer(image)
          .withLabels(labels)
          .withExposedPorts(await ports.publish(5432))
          .withCommand(['postgres', ...settingsArgs(options.settings)])
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
