export interface ServiceUrlRules {
  /** The variable the URL came from, named in every error: `DATABASE_URL`. */
  variable: string
  /** What it must be a URL of, as in "is not a valid PostgreSQL URL". */
  kind: string
  /** Accepted schemes without `://`, the first being the one to suggest: `['postgres', 'postgresql']`. */
  schemes: readonly string[]
  /** A URL without a host is valid (PostgreSQL's `postgres:///db?host=/run/postgresql`). */
  hostOptional?: boolean
}

export interface ServiceUrl {
  url: URL
  /** The host, IPv6 brackets removed; `''` only when `hostOptional`. */
  host: string
  /** The port the URL names, or `undefined` when it names none (the service's default applies). */
  port: number | undefined
}

/** The value with any password replaced by `***`: safe to print. */
export function redactUrl(value: string): string {
  // Up to the last '@': a password with an unencoded '/' or '@' must not leak either.
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):.*@/i, '$1:***@')
}

/** A port as a variable gives it (`PGPORT`, the port of a URL): digits, 1–65535. */
function portProblem(text: string): string | undefined {
  if (text === '') return 'its port is empty'
  if (!/^\d+$/.test(text)) return `its port "${text}" is not a number`
  const port = Number(text)
  if (port < 1 || port > 65535) return `its port ${port} is out of range (1-65535)`
  return undefined
}

/** `PGPORT=abc` is an error, not port NaN. */
export function parsePort(variable: string, value: string): number {
  if (portProblem(value.trim()))
    throw new Error(`${variable} must be a port number (1-65535), not ${JSON.stringify(value)}`)
  return Number(value.trim())
}

/**
 * Parses the URL an env provider was given, and says what is wrong with it, naming the variable:
 * another scheme, no host, an empty or non-numeric port (which `new URL` silently drops or
 * misreads), or text that is no URL at all. Never prints a password.
 */
export function parseServiceUrl(value: string, rules: ServiceUrlRules): ServiceUrl {
  const raw = value.trim()
  const fail = (problem: string): never => {
    throw new Error(
      `${rules.variable} is not a valid ${rules.kind} URL: ${problem} (${JSON.stringify(redactUrl(raw))})`,
    )
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase()
  if (!scheme || !rules.schemes.includes(scheme))
    fail(`it must start with ${rules.schemes.map((s) => `${s}://`).join(' or ')}`)
  const authority = raw.slice((scheme as string).length + 3).split(/[/?#]/, 1)[0] as string
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1)
  const bracketed = /^(\[[^\]]*\])(.*)$/.exec(hostPort)
  const colon = bracketed ? (bracketed[2]?.startsWith(':') ? 0 : -1) : hostPort.lastIndexOf(':')
  const hostText = bracketed ? (bracketed[1] as string) : colon < 0 ? hostPort : hostPort.slice(0, colon)
  const rest = bracketed ? (bracketed[2] as string) : colon < 0 ? '' : hostPort.slice(colon)
  if (rest && !rest.startsWith(':')) fail(`"${rest}" follows the host`)
  if (!hostText && !rules.hostOptional) fail('it names no host')
  const portText = rest ? rest.slice(1) : undefined
  const problem = portText === undefined ? undefined : portProblem(portText)
  if (problem) fail(problem)
  if (!URL.canParse(raw)) fail('it does not parse as a URL')
  return {
    url: new URL(raw),
    host: hostText.replace(/^\[(.*)\]$/, '$1'),
    port: portText === undefined ? undefined : Number(portText),
  }
}
