import { diagnoseDiscovery, type Provider, packagesFound } from '@testbed/core/config'
import type { S3Found } from '../connection.js'
import { startS3Emulator } from '../emulator/index.js'

export const EMULATOR = "Testbed's S3 emulator"

/**
 * Testbed's S3 emulator in the main process on loopback, with a random key pair: buckets, objects,
 * multipart uploads, SigV4 and the SDK's streamed (aws-chunked) uploads with their checksums. The
 * reporter says when it served; `real: ['s3']` (or TESTBED_REAL=s3) refuses it.
 */
export function embeddedProvider(): Provider<S3Found> {
  return {
    kind: 'embedded',
    async start(ctx) {
      const accessKeyId = `TESTBED${ctx.secret().slice(3, 16).toUpperCase()}`
      const secretAccessKey = ctx.secret()
      const region = 'us-east-1'
      const emulator = await startS3Emulator({ credentials: [{ accessKeyId, secretAccessKey }], region })
      ctx.onRelease(() => emulator.close())
      return {
        connection: {
          endpoint: emulator.url,
          region,
          accessKeyId,
          secretAccessKey,
          credentialsSource: 'the key pair Testbed gave the emulator',
        },
        emulated: EMULATOR,
      }
    },
    // The emulator parses and writes S3's XML with fast-xml-parser.
    diagnose: async () =>
      diagnoseDiscovery(
        () => packagesFound(['fast-xml-parser'], import.meta.url),
        (found) => ({
          applicable: true,
          reason: `${EMULATOR}, in the run's main process on loopback (a stand-in: real: ['s3'] refuses it)`,
          found: { emulator: EMULATOR, ...found },
        }),
      ),
  }
}
