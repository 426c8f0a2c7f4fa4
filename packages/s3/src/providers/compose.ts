import { type ComposeServiceRef, composeServiceProvider, type Provider } from '@testbed/core/config'
import type { S3Found } from '../connection.js'

/**
 * A service of a compose file (`s3({ compose: stack.service('localstack') })`): LocalStack's 4566,
 * S3Mock's 9090, or `port` (default 9000) for another image; the key pair in its
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, else `test`/`test` (which LocalStack and S3Mock take).
 */
export function composeProvider(ref: ComposeServiceRef, options: { port?: number } = {}): Provider<S3Found> {
  return composeServiceProvider(ref, ({ host, port, environment, image, service }) => {
    const name = image.toLowerCase()
    const s3Port = name.includes('localstack')
      ? 4566
      : name.includes('s3mock')
        ? 9090
        : (options.port ?? 9000)
    const given = Boolean(environment.AWS_ACCESS_KEY_ID && environment.AWS_SECRET_ACCESS_KEY)
    return {
      endpoint: `http://${host}:${port(s3Port)}`,
      region: environment.AWS_REGION || environment.AWS_DEFAULT_REGION || 'us-east-1',
      accessKeyId: given ? (environment.AWS_ACCESS_KEY_ID as string) : 'test',
      secretAccessKey: given ? (environment.AWS_SECRET_ACCESS_KEY as string) : 'test',
      credentialsSource: given
        ? `${service}'s AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`
        : 'the test key pair',
    }
  })
}
