// The s3 service through core's hub in this process (see core's start-service.ts).
import { type Started as StartedService, startService } from '@testbed/test-support/start-service'
import type { S3Connection } from '../src/connection.ts'
import { type S3Options, s3 } from '../src/service.ts'

export { ready, reasonOf, stopAndCheck } from '@testbed/test-support/start-service'
export type Started = StartedService<S3Connection>

export function startS3(env: Record<string, string>, options: S3Options = {}): Promise<Started> {
  return startService(
    s3(options),
    env,
    /^(AWS_ENDPOINT_URL_S3|S3_ENDPOINT|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_REGION|TESTBED_S3_\w+)$/,
  )
}
