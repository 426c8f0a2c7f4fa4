import { redactUrl } from '../helpers/service-url.js'

/** Names that hold a secret whatever their value looks like. */
const SECRET_NAME = /PASS|TOKEN|SECRET|CREDENTIAL|PRIVATE|_KEY$/i

/**
 * A variable's value, safe to print: a secret's name (`PGPASSWORD`, `VAULT_TOKEN`,
 * `AWS_SECRET_ACCESS_KEY`) gives `***`; in URLs (several, comma-separated, as `NATS_URL` takes) the
 * password is `***`, and so is a user without one, which some clients read as a token (`nats://tok@host`).
 */
export function redactValue(name: string, value: string): string {
  if (SECRET_NAME.test(name) && !/_ID$/.test(name)) return '***'
  return value
    .split(',')
    .map((part) =>
      redactUrl(part)
        .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@:]+@/i, '$1***@')
        // libpq takes a password in the query too: postgres://db/app?password=…
        .replace(/([?&][^=&]*(?:pass|token|secret)[^=&]*=)[^&#]*/gi, '$1***'),
    )
    .join(',')
}

/** The variables of `names` that are set (non-empty), their values redacted. */
export function setVariables(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = env[name]
      return value ? [[name, redactValue(name, value)]] : []
    }),
  )
}
