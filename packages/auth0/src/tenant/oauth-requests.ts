// Reading what an OAuth client sends: the parameters of a token request and its credentials.

/** A token request's parameters, from a form body or (as Auth0 also takes them) a JSON object. */
export async function readParams(request: Request): Promise<URLSearchParams | undefined> {
  const text = await request.text()
  if (!(request.headers.get('content-type') ?? '').includes('json')) return new URLSearchParams(text)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(body)) {
    if (value !== undefined && value !== null) params.set(name, String(value))
  }
  return params
}

/** The client's id and secret from `Authorization: Basic …` (client_secret_basic), if it sent them so. */
export function basicCredentials(request: Request): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')
  if (!match?.[1]) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replaceAll('+', ' '))
    } catch {
      return part
    }
  }
  return { clientId: decode(decoded.slice(0, colon)), clientSecret: decode(decoded.slice(colon + 1)) }
}

/** The access token from `Authorization: Bearer …`. */
export function bearerToken(request: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
}

/** The words of a space-separated list (`scope`). */
export function words(value: string): string[] {
  return value.split(/\s+/).filter(Boolean)
}
