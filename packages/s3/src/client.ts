import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import type { S3Found } from './connection.js'

/**
 * An S3Client for the endpoint, path-style (emulators and LocalStack serve no bucket subdomains).
 * An error that never reached S3 (refused, reset) names the endpoint: `… (S3 at http://…)`.
 */
export function s3Client(c: S3Found, overrides: S3ClientConfig = {}): S3Client {
  const client = new S3Client({
    endpoint: c.endpoint,
    region: c.region,
    forcePathStyle: true,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
    ...overrides,
  })
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args)
      } catch (error) {
        const answered = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
        if (error instanceof Error && answered === undefined && !error.message.includes(c.endpoint))
          error.message = `${error.message} (S3 at ${c.endpoint})`
        throw error
      }
    },
    { step: 'initialize', name: 'testbedEndpointInErrors' },
  )
  return client
}
