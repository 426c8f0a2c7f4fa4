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

/** After provisioning: the buckets made from the config, and this run's id for per-test buckets. */
export interface S3Config extends S3Found {
  /** The configured buckets, created at the start of the run (the seed's `ft-cache-e2e`). */
  buckets: string[]
  /** A short id of this run: per-test buckets are named `testbed-<run>-…`. */
  run: string
}

/** What code under test reads: the SDK's own `AWS_ENDPOINT_URL_S3`, and the seed's `S3_ENDPOINT`. */
export function s3Env(c: S3Config): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: c.endpoint,
    S3_ENDPOINT: c.endpoint,
    AWS_REGION: c.region,
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    ...(c.buckets[0] ? { S3_BUCKET: c.buckets[0] } : {}),
  }
}
