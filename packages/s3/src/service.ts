import {
  type ComposeServiceRef,
  defineService,
  type ReadinessPolicy,
  type ServiceDefinition,
} from '@testbed/core/config'
import { deleteBucketsWithPrefix, runBucketPrefix } from './buckets.js'
import { s3Client } from './client.js'
import { type S3Connection, type S3Found, s3Env } from './connection.js'
import { probeS3 } from './probe.js'
import { composeProvider } from './providers/compose.js'
import { type ContainerOptions, containerProvider } from './providers/container.js'
import { embeddedProvider } from './providers/embedded.js'
import { envProvider } from './providers/env.js'
import { type ProvisionOptions, provisionS3 } from './provision.js'

export interface S3Options extends ProvisionOptions {
  container?: ContainerOptions
  /** A service of a compose file (`composeStack(…).service('localstack')`), tried right after `env`. */
  compose?: ComposeServiceRef
  /** For `compose`: the S3 port of an image that is neither LocalStack nor S3Mock. Default 9000. */
  composePort?: number
  readiness?: Partial<ReadinessPolicy>
}

/** S3 (or an S3-compatible store): `env`, then `compose` (when given), `container`, and Testbed's `embedded` emulator. */
export function s3(options: S3Options = {}): ServiceDefinition<S3Connection, S3Found> {
  return defineService<S3Connection, S3Found>({
    name: 's3',
    description: 'S3',
    providers: [
      envProvider(),
      ...(options.compose ? [composeProvider(options.compose, { port: options.composePort })] : []),
      containerProvider(options.container),
      embeddedProvider(),
    ],
    probe: (found, signal) => probeS3(found, signal),
    readiness: options.readiness,
    async provision(found, ctx) {
      ctx.progress('creating buckets')
      const connection = await provisionS3(found, options)
      // Per-test buckets carry the run's prefix; what crashed workers left of them goes at the end.
      ctx.onRelease(async () => {
        const client = s3Client(found, { maxAttempts: 1 })
        await deleteBucketsWithPrefix(client, runBucketPrefix(connection.run)).catch(() => {})
        client.destroy()
      })
      return connection
    },
    env: (connection) => s3Env(connection),
    endpoint: (connection) => connection.endpoint,
  })
}
