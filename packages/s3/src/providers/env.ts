import {
  diagnoseDiscovery,
  existingServerReadiness,
  NotApplicable,
  type Provider,
  parseServiceUrl,
  setVariables,
} from '@testbed/core/config'
import type { S3Found } from '../connection.js'

const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'S3_ENDPOINT'] as const

/**
 * An existing S3-compatible endpoint: `AWS_ENDPOINT_URL_S3` (the SDK's own) or `S3_ENDPOINT` (which
 * many applications read), signed with `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, in `AWS_REGION` (default us-east-1).
 */
export function envProvider(env: NodeJS.ProcessEnv = process.env): Provider<S3Found> {
  return {
    kind: 'env',
    authoritative: true,
    async start() {
      return { ...fromEnv(env), readiness: existingServerReadiness }
    },
    async diagnose() {
      const found = setVariables(env, [
        ...ENDPOINT_VARIABLES,
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_REGION',
        'AWS_DEFAULT_REGION',
      ])
      return diagnoseDiscovery(
        () => fromEnv(env),
        ({ detail }) => ({ applicable: true, reason: detail, found }),
        found,
      )
    },
  }
}

/** The endpoint and key pair the variables name; NotApplicable when no endpoint is set. */
export function fromEnv(env: NodeJS.ProcessEnv): { connection: S3Found; detail: string } {
  const variable = ENDPOINT_VARIABLES.find((name) => env[name])
  if (!variable) throw new NotApplicable(`neither ${ENDPOINT_VARIABLES.join(' nor ')} is set`)
  const endpoint = (env[variable] as string).trim()
  parseServiceUrl(endpoint, { variable, kind: 'S3 endpoint', schemes: ['http', 'https'] })
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env
  if (!accessKeyId || !secretAccessKey)
    throw new Error(
      `${variable} is set, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not: S3 needs a key pair`,
    )
  return {
    connection: {
      endpoint: endpoint.replace(/\/+$/, ''),
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
      accessKeyId,
      secretAccessKey,
      credentialsSource: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    },
    detail: `from ${variable}`,
  }
}
