import {
  diagnoseDiscovery,
  existingServerReadiness,
  NotApplicable,
  type Provider,
  parseServiceUrl,
  setVariables,
} from '@testbed/core/config'
import type { NatsFound } from '../connection.js'

/** One `nats://` (or `tls://`) URL; its credentials, if any, are returned separately. */
function parseServer(raw: string): { server: string; user?: string; pass?: string } {
  const { url, host, port } = parseServiceUrl(raw, {
    variable: 'NATS_URL',
    kind: 'NATS',
    schemes: ['nats', 'tls'],
  })
  const server = `${url.protocol}//${host.includes(':') ? `[${host}]` : host}:${port ?? 4222}`
  if (!url.username) return { server }
  return {
    server,
    user: decodeURIComponent(url.username),
    pass: url.password ? decodeURIComponent(url.password) : undefined,
  }
}

/** The servers and credentials the variables name; NotApplicable when neither is set. */
function fromEnv(env: NodeJS.ProcessEnv): NatsFound {
  const { NATS_URL: url, NATS_TOKEN: token } = env
  if (!url && !token) throw new NotApplicable('NATS_URL is not set')
  if (!url) throw new Error('NATS_TOKEN is set but NATS_URL is not')
  const parsed = url
    .split(',')
    .filter((s) => s.trim())
    .map(parseServer)
  if (!parsed.length) throw new Error('NATS_URL is not a valid NATS URL: it names no server')
  const auth = parsed.find((p) => p.user !== undefined)
  const found: NatsFound = { servers: parsed.map((p) => p.server), credentialsSource: 'no credentials' }
  if (token) Object.assign(found, { token, credentialsSource: 'NATS_TOKEN' })
  else if (auth?.pass !== undefined)
    Object.assign(found, { user: auth.user, pass: auth.pass, credentialsSource: 'NATS_URL' })
  else if (auth) Object.assign(found, { token: auth.user, credentialsSource: 'NATS_URL' })
  return found
}

/**
 * An existing server: `NATS_URL` (`nats://user:pass@host:4222`, or several, comma-separated), with
 * `NATS_TOKEN` for token auth. A user without a password in the URL is a token, as NATS clients read it.
 */
export function envProvider(env: NodeJS.ProcessEnv = process.env): Provider<NatsFound> {
  return {
    kind: 'env',
    authoritative: true,
    async start() {
      return { connection: fromEnv(env), detail: 'from NATS_URL', readiness: existingServerReadiness }
    },
    async diagnose() {
      const found = setVariables(env, ['NATS_URL', 'NATS_TOKEN'])
      return diagnoseDiscovery(
        () => fromEnv(env),
        () => ({ applicable: true, reason: 'from NATS_URL', found }),
        found,
      )
    },
  }
}
