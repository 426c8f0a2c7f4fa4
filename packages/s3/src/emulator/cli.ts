#!/usr/bin/env node
// testbed-s3-emulator [--port N] [--host H] [--access-key-id ID --secret-access-key SECRET] [--region R]
// [--bucket NAME]…: the emulator as its own process, with these buckets. Credentials default to AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
// Prints one line, `listening on http://<host>:<port>`, once it serves; stops on SIGINT or SIGTERM.
import { parseArgs } from 'node:util'
import { startS3Emulator } from './s3-emulator.js'

const usage =
  'usage: testbed-s3-emulator [--port N] [--host H] [--access-key-id ID] [--secret-access-key SECRET] [--region R] [--bucket NAME]…'

function options() {
  try {
    const { values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'access-key-id': { type: 'string' },
        'secret-access-key': { type: 'string' },
        region: { type: 'string' },
        bucket: { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    })
    const port = Number(values.port ?? '0')
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port: not a port: ${values.port}`)
    const accessKeyId = values['access-key-id'] ?? process.env.AWS_ACCESS_KEY_ID
    const secretAccessKey = values['secret-access-key'] ?? process.env.AWS_SECRET_ACCESS_KEY
    if (!accessKeyId || !secretAccessKey)
      throw new Error(
        'no credentials: give --access-key-id and --secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      )
    return {
      port,
      host: values.host,
      region: values.region ?? process.env.AWS_REGION,
      credentials: [{ accessKeyId, secretAccessKey }],
      buckets: values.bucket ?? [],
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`)
    process.exit(2)
  }
}

const emulator = await startS3Emulator(options()).catch((error: unknown) => {
  process.stderr.write(
    `cannot start the S3 emulator: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
process.stdout.write(`listening on ${emulator.url}\n`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`)
        process.exit(1)
      },
    )
  })
}
