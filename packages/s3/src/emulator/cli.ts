#!/usr/bin/env node
// testbed-s3-emulator [--port N] [--host H] [--access-key-id ID --secret-access-key SECRET] [--region R]
// [--bucket NAME]…: the emulator as its own process, with these buckets. Credentials default to AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
// Prints one line, `listening on http://<host>:<port>`, once it serves; stops on SIGINT or SIGTERM.
import { runEmulatorCli } from '@testbed/core/standalone'
import { startS3Emulator } from './s3-emulator.js'

await runEmulatorCli({
  command: 'testbed-s3-emulator',
  service: 'S3',
  usage: '[--access-key-id ID] [--secret-access-key SECRET] [--region R] [--bucket NAME]…',
  options: {
    'access-key-id': { type: 'string' },
    'secret-access-key': { type: 'string' },
    region: { type: 'string' },
    bucket: { type: 'string', multiple: true },
  },
  configure: (values, { port, host }) => {
    const accessKeyId = values['access-key-id'] ?? process.env.AWS_ACCESS_KEY_ID
    const secretAccessKey = values['secret-access-key'] ?? process.env.AWS_SECRET_ACCESS_KEY
    if (!accessKeyId || !secretAccessKey)
      throw new Error(
        'no credentials: give --access-key-id and --secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      )
    return {
      port,
      host,
      region: values.region ?? process.env.AWS_REGION,
      credentials: [{ accessKeyId, secretAccessKey }],
      buckets: values.bucket ?? [],
    }
  },
  start: startS3Emulator,
})
