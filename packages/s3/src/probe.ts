import { ListBucketsCommand } from '@aws-sdk/client-s3'
import { describeNetworkError, ProbeRefused } from '@testbed/core/config'
import { s3Client } from './client.js'
import type { S3Found } from './connection.js'

/** Refusals of the key pair: waiting will not make them right. */
const REFUSED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidClientTokenId',
])

/**
 * Lists the buckets: the endpoint answers, speaks S3, and accepts the key pair. How long that may
 * take is the readiness policy's to say (through `signal`): a live endpoint slow to answer is waited for.
 */
export async function probeS3(c: S3Found, signal?: AbortSignal): Promise<void> {
  const client = s3Client(c, { maxAttempts: 1 })
  try {
    await client.send(new ListBucketsCommand({}), { abortSignal: signal })
  } catch (error) {
    const { name, message } = error as Error
    if (REFUSED.has(name))
      throw new ProbeRefused(
        `${c.endpoint} refused the key pair from ${c.credentialsSource} (access key id ${c.accessKeyId}): ${name}: ${message}`,
      )
    if (signal?.aborted) throw new Error(`${c.endpoint} did not answer in time`, { cause: error })
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode) throw error
    const why = describeNetworkError(error)
    throw new Error(why.includes(c.endpoint) ? why : `${why} (S3 at ${c.endpoint})`, { cause: error })
  } finally {
    client.destroy()
  }
}
