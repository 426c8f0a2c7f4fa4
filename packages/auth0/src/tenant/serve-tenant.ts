import type { IncomingMessage, ServerResponse } from 'node:http'
import { startLoopbackServer } from '@testbed/core/standalone'
import { getResponse } from 'msw'
import type { MockTenant } from './mock-tenant.js'

export interface ServeTenantOptions {
  /** Defaults to `127.0.0.1`. */
  host?: string
  /** Defaults to 0: a free port. */
  port?: number
}

export interface TenantServer {
  /** The served base URL, ending with `/`: `http://127.0.0.1:PORT/`. */
  url: string
  tenant: MockTenant
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Makes the tenant once the server listens, given its URL to use as the issuer. */
export type TenantFactory = (issuer: string) => MockTenant | Promise<MockTenant>

/**
 * Serves a tenant's handlers over real HTTP, for a process that msw cannot reach (the app under test).
 *
 * Give a factory to make a tenant whose issuer is the served URL, the usual case, as the port is only known
 * once the server listens: `serveTenant((issuer) => MockTenant.create({ issuer, audience }))`.
 * Given a tenant whose issuer is elsewhere (`https://testbed.auth0.com/`), requests are answered as if sent
 * to its issuer, but what it advertises (`jwks_uri`, `iss`) still names that issuer: point the app at
 * `${url}.well-known/jwks.json` explicitly.
 */
export async function serveTenant(
  tenant: MockTenant | TenantFactory,
  options: ServeTenantOptions = {},
): Promise<TenantServer> {
  let served: MockTenant | undefined = typeof tenant === 'function' ? undefined : tenant
  const server = await startLoopbackServer((req, res) => {
    answer(served, req, res).catch((error: unknown) => {
      if (!res.headersSent) writeJson(res, 500, { error: 'server_error', error_description: String(error) })
      else res.destroy()
    })
  }, options)
  const url = `${server.url}/`
  const close = server.close

  if (typeof tenant === 'function') {
    try {
      served = await tenant(url)
    } catch (error) {
      await close()
      throw error
    }
  }
  if (!served) throw new Error('unreachable: no tenant to serve')
  return { url, tenant: served, close, [Symbol.asyncDispose]: close }
}

async function answer(
  tenant: MockTenant | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!tenant) return writeJson(res, 503, { error: 'temporarily_unavailable', error_description: 'Starting' })
  const request = await toFetchRequest(req, tenant.issuer)
  const response = await getResponse(tenant.handlers, request)
  if (!response) {
    return writeJson(res, 404, {
      error: 'not_found',
      error_description: `The mock tenant has no handler for ${req.method} ${req.url}`,
    })
  }
  res.statusCode = response.status
  res.statusMessage = response.statusText || res.statusMessage
  for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value)
  const cookies = response.headers.getSetCookie()
  if (cookies.length) res.setHeader('set-cookie', cookies)
  res.end(req.method === 'HEAD' ? undefined : Buffer.from(await response.arrayBuffer()))
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect'])

/** The request as a Fetch `Request` addressed to the tenant's issuer, where its handlers listen. */
async function toFetchRequest(req: IncomingMessage, issuer: string): Promise<Request> {
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string
    if (!hopByHop.has(name.toLowerCase())) headers.append(name, req.rawHeaders[i + 1] as string)
  }
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  return new Request(new URL((req.url ?? '/').replace(/^\/+/, ''), issuer), {
    method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : null,
  })
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
