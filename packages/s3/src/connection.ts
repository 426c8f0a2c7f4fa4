/** Where an S3-compatible endpoint is, and the key pair to sign with. Plain data: it travels to workers. */
export interface S3Found {
  /** `http://<host>:<port>`; requests are path-style (`<endpoint>/<bucket>/<key>`). */
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** Where the key pair came from, for error messages that must never show the secret. */
  credentialsSource: string
}

/** What tests get: the endpoint, the buckets provisioning made, and this run's id for per-test buckets. */
export interface S3Connection extends S3Found {
  /** The configured buckets (`ft-cache-e2e`), created at the start of the run. */
  buckets: string[]
  /** A short id of this run: per-test buckets are named `testbed-<run>-…`. */
  run: string
}

/** What code under test reads: the SDK's own `AWS_ENDPOINT_URL_S3`, and `S3_ENDPOINT`, which many applications read. */
export function s3Env(c: S3Connection): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: c.endpoint,
    S3_ENDPOINT: c.endpoint,
    AWS_REGION: c.region,
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    ...(c.buckets[0] ? { S3_BUCKET: c.buckets[0] } : {}),
  }
}
