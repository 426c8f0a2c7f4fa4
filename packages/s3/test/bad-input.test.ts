import { freePort } from '@testbed/core/config'
import { describe, expect, test } from 'vitest'
import { outsideEmulator } from './outside-emulator.ts'
import { reasonOf, startS3, stopAndCheck } from './start-s3.ts'

describe('bad input gets one clear error, and nothing is left running', { tags: ['tier2'] }, () => {
  test('AWS_ENDPOINT_URL_S3 naming a closed port: refused at once, not waited for', async () => {
    const port = await freePort()
    const started = await startS3({
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'secret',
    })
    expect(reasonOf(started)).toBe(
      `s3 unavailable: env: connect ECONNREFUSED 127.0.0.1:${port} (S3 at http://127.0.0.1:${port})`,
    )
    // The explicit setting is authoritative: no other provider was tried in its place.
    expect(started.status.attempts.map((a) => a.provider)).toEqual(['env'])
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('a wrong secret, and an unknown access key: refused at once, the secret never shown', async () => {
    const outside = await outsideEmulator('RIGHTKEY', 'the-right-secret')
    const wrong = await startS3({ ...outside.env, AWS_SECRET_ACCESS_KEY: 'not-it-at-all' })
    expect(reasonOf(wrong)).toBe(
      `s3 unavailable: env: ${outside.endpoint} refused the key pair from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (access key id RIGHTKEY): SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method.`,
    )
    expect(reasonOf(wrong)).not.toContain('not-it-at-all')
    const unknown = await startS3({ ...outside.env, AWS_ACCESS_KEY_ID: 'WHOAMI' })
    expect(reasonOf(unknown)).toContain('(access key id WHOAMI): InvalidAccessKeyId')
    for (const s of [wrong, unknown]) expect(await stopAndCheck(s)).toEqual([])
  })

  test('an endpoint without a key pair, and one that is not a URL', async () => {
    const noKeys = await startS3({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' })
    expect(reasonOf(noKeys)).toBe(
      's3 unavailable: env: AWS_ENDPOINT_URL_S3 is set, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not: S3 needs a key pair',
    )
    const keys = { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }
    const notUrl = await startS3({ S3_ENDPOINT: 'localhost:4566', ...keys })
    expect(reasonOf(notUrl)).toBe(
      's3 unavailable: env: S3_ENDPOINT is not a valid S3 endpoint URL: it must start with http:// or https:// ("localhost:4566")',
    )
    const emptyPort = await startS3({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:', ...keys })
    expect(reasonOf(emptyPort)).toBe(
      's3 unavailable: env: AWS_ENDPOINT_URL_S3 is not a valid S3 endpoint URL: its port is empty ("http://127.0.0.1:")',
    )
    for (const s of [noKeys, notUrl, emptyPort]) expect(await stopAndCheck(s)).toEqual([])
  })

  test('a configured bucket name S3 refuses leaves the service broken, naming the bucket', async () => {
    const started = await startS3(
      { TESTBED_S3_PROVIDERS: 'embedded' },
      { buckets: ['ft-cache-e2e', 'FT_Cache'] },
    )
    expect(started.status.state).toBe('broken')
    expect(reasonOf(started)).toContain(
      'bucket "FT_Cache": InvalidBucketName: The specified bucket is not valid: "FT_Cache" may hold only lowercase letters, digits, dots and hyphens.',
    )
    expect(await stopAndCheck(started)).toEqual([])
  })
})
