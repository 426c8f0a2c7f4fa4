import type { IncomingMessage } from 'node:http'
import { createRemoteJWKSet, jwtVerify } from 'jose'

/** Who is asking: the user's id, or undefined when the request proves nobody. */
export type Authenticate = (req: IncomingMessage) => Promise<string | undefined>

/** Without Auth0 (development, the main pipeline): the `x-user` header is taken at its word. */
export const trustUserHeader: Authenticate = async (req) => {
  const user = req.headers['x-user']
  return typeof user === 'string' && user ? user : undefined
}

/** With Auth0: a bearer JWT from the tenant, checked against its JWKS, issuer and audience. */
export function auth0Jwt(issuerBaseUrl: string, audience: string): Authenticate {
  const issuer = `${issuerBaseUrl.replace(/\/$/, '')}/`
  const keys = createRemoteJWKSet(new URL('.well-known/jwks.json', issuer))
  return async (req) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (!token) return undefined
    try {
      const { payload } = await jwtVerify(token, keys, { issuer, audience, algorithms: ['RS256'] })
      return payload.sub
    } catch {
      return undefined
    }
  }
}
