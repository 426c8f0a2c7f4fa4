import { containerImage, diagnoseContainer, type Provider, testcontainersOf } from '@testbed/core/config'
import type * as Testcontainers from 'testcontainers'
import type { S3Found } from '../connection.js'

export interface ContainerOptions {
  /**
   * Default: `TESTBED_S3_IMAGE`, else `localstack/localstack:4.14` (later LocalStack images need an
   * auth token). An image named `…localstack…` runs through @testcontainers/localstack, `…s3mock…` is
   * Adobe's S3Mock (port 9090); any other image must serve S3 on `port` and accept the key pair given
   * in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (as `testbed/s3`, the emulator's image, does).
   */
  image?: string
  /** For an image that is neither LocalStack nor S3Mock: the port it serves S3 on. Default 9000. */
  port?: number
}

const DEFAULT_IMAGE = 'localstack/localstack:4.14'
const REGION = 'us-east-1'

/** LocalStack, S3Mock or another S3 image, imported only after a Docker engine answered the probe. */
export function containerProvider(options: ContainerOptions = {}): Provider<S3Found> {
  const imageOf = () => containerImage('s3', options.image, DEFAULT_IMAGE)
  return {
    kind: 'container',
    diagnose: () => diagnoseContainer(imageOf()),
    async start(ctx) {
      const image = imageOf()
      const name = image.toLowerCase()
      if (name.includes('localstack')) {
        const container = await ctx.startContainer(image, async (labels, ports) => {
          const { LocalstackContainer } = await import('@testcontainers/localstack')
          return new LocalstackContainer(image)
            .withEnvironment({ SERVICES: 's3' })
            .withExposedPorts(await ports.publish(4566))
            .withLabels(labels)
            .start()
        })
        // LocalStack accepts any key pair; `test`/`test` is its documented one.
        return {
          connection: {
            endpoint: container.getConnectionUri(),
            region: REGION,
            accessKeyId: 'test',
            secretAccessKey: 'test',
            credentialsSource: "LocalStack's test key pair",
          },
          detail: `${image} (LocalStack)`,
        }
      }
      const s3mock = name.includes('s3mock')
      const port = s3mock ? 9090 : (options.port ?? 9000)
      const accessKeyId = s3mock ? 'test' : `TESTBED${ctx.secret().slice(3, 16).toUpperCase()}`
      const secretAccessKey = s3mock ? 'test' : ctx.secret()
      const container = await ctx.startContainer(image, async (labels, ports) => {
        const { GenericContainer, Wait } = testcontainersOf<typeof Testcontainers>(
          '@testcontainers/localstack',
          import.meta.url,
        )
        return new GenericContainer(image)
          .withExposedPorts(await ports.publish(port))
          .withEnvironment(
            s3mock ? {} : { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey },
          )
          .withWaitStrategy(Wait.forListeningPorts())
          .withLabels(labels)
          .start()
      })
      return {
        connection: {
          endpoint: `http://${container.getHost()}:${container.getMappedPort(port)}`,
          region: REGION,
          accessKeyId,
          secretAccessKey,
          credentialsSource: s3mock ? 'S3Mock (any key pair)' : 'the key pair Testbed gave the container',
        },
        detail: s3mock ? `${image} (S3Mock)` : image,
      }
    },
  }
}
