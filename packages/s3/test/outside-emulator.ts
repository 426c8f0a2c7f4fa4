// The emulator in a process of its own (its CLI, `testbed-s3-emulator`), as AWS_ENDPOINT_URL_S3 would
// name an S3 someone else runs; stopped after the test.
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startOutsideProcess } from '@testbed/test-support/outside-process'

const CLI = fileURLToPath(new URL('../dist/emulator/cli.js', import.meta.url))

export interface OutsideEmulator {
  child: ChildProcess
  endpoint: string
  env: Record<string, string>
}

export async function outsideEmulator(
  accessKeyId = 'OUTSIDEKEY',
  secretAccessKey = 'outside-secret',
): Promise<OutsideEmulator> {
  const { child, match } = await startOutsideProcess(
    process.execPath,
    [CLI, '--access-key-id', accessKeyId, '--secret-access-key', secretAccessKey],
    { ready: /listening on (http:\/\/\S+)/ },
  )
  const endpoint = match[1] as string
  return {
    child,
    endpoint,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
    },
  }
}
