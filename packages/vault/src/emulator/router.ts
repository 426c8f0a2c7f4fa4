// From an HTTP request to a backend, as Vault's http and router layers do: method to operation, the
// unauthenticated sys paths, the token check, then the sys backend, the token store or a mount.
import { randomBytes, randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Operation } from './engine.js'
import { type Fields, parseBool } from './fields.js'
import { MountTable } from './mounts.js'
import {
  errorResponse,
  multiError,
  NotEmulated,
  notFound,
  VaultError,
  type VaultResponse,
} from './responses.js'
import { SysBackend } from './sys-backend.js'
import { TokenBackend } from './token-backend.js'
import { EMULATOR_HEADER, EMULATOR_HEADER_VALUE } from './version.js'

export interface HttpRequest {
  method: string
  /** The request target: path and query, e.g. `/v1/transit/keys?list=true`. */
  url: string
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  /** JSON text, or '' for no body. */
  body: string
}

export interface VaultHandlerOptions {
  /** The only token accepted, as `vault server -dev -dev-root-token-id`. */
  rootToken: string
}

/** A Vault dev server's state in memory, and its answer to each request. */
export type VaultHandler = (request: HttpRequest) => HttpResponse

function operationOf(method: string, query: URLSearchParams): Operation | undefined {
  switch (method) {
    case 'GET':
      return parseBool(query.get('list') ?? '') ? 'list' : 'read'
    case 'POST':
    case 'PUT':
      return 'update'
    case 'DELETE':
      return 'delete'
    case 'LIST':
      return 'list'
    case 'PATCH':
      return 'patch'
    default:
      return undefined
  }
}

function header(headers: HttpRequest['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** `X-Vault-Token`, or `Authorization: Bearer <token>`. */
function presentedToken(headers: HttpRequest['headers']): string | undefined {
  const token = header(headers, 'x-vault-token')
  if (token) return token
  return /^Bearer\s+(\S+)/i.exec(header(headers, 'authorization') ?? '')?.[1]
}

/** Go's mime.ParseMediaType, as far as Vault's PATCH check needs it: the type, lower-cased, without parameters. */
function mediaType(value: string | undefined): string {
  const type = (value ?? '').split(';')[0]?.trim().toLowerCase()
  if (!type) throw new VaultError(400, 'mime: no media type')
  return type
}

const MERGE_PATCH = 'application/merge-patch+json'

function parseBody(body: Buffer): Fields {
  const text = body.toString('utf8')
  if (!text.trim()) return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new VaultError(400, `failed to parse JSON input: ${(error as Error).message}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
    throw new VaultError(
      400,
      `failed to parse JSON input: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`,
    )
  }
  return value as Fields
}

function render(method: string, response: VaultResponse): HttpResponse {
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    [EMULATOR_HEADER]: EMULATOR_HEADER_VALUE,
  }
  if (response.body === undefined || method === 'HEAD' || response.status === 204) {
    return { status: response.status, headers, body: '' }
  }
  headers['content-type'] = 'application/json'
  return { status: response.status, headers, body: `${JSON.stringify(response.body)}\n` }
}

/** `POST transit/hmac/k`: the request as a refusal names it. */
function requested(request: HttpRequest, method: string): string {
  const { pathname } = new URL(request.url, 'http://vault.invalid')
  return `${method} ${decodeURIComponent(pathname.replace(/^\/v1\//, ''))}`
}

export function createVaultHandler(options: VaultHandlerOptions): VaultHandler {
  if (!options.rootToken) throw new Error('the Vault emulator needs a root token')
  const mounts = new MountTable()
  const cluster = { name: `vault-cluster-${randomBytes(4).toString('hex')}`, id: randomUUID() }
  const sys = new SysBackend(mounts, cluster)
  const tokens = new TokenBackend(options.rootToken)

  function serve(request: HttpRequest, method: string): VaultResponse {
    const url = new URL(request.url, 'http://vault.invalid')
    if (!url.pathname.startsWith('/v1/')) return notFound()
    const path = decodeURIComponent(url.pathname.slice('/v1/'.length))
    const open = sys.unauthenticated(path, method, url.searchParams)
    if (open) return open

    const operation = operationOf(method, url.searchParams)
    if (!operation) return errorResponse(405, [])
    if (operation === 'patch') {
      const type = mediaType(header(request.headers, 'content-type'))
      if (type !== MERGE_PATCH)
        return errorResponse(415, [`PATCH requires Content-Type of ${MERGE_PATCH}, provided ${type}`])
    }
    const data =
      operation === 'update' || operation === 'patch'
        ? parseBody(request.body)
        : Object.fromEntries(url.searchParams)

    const token = presentedToken(request.headers)
    if (!token) return errorResponse(403, ['permission denied'])
    if (token !== options.rootToken)
      return errorResponse(403, [multiError('permission denied', 'invalid token')])
    if (url.searchParams.get('help')) throw new NotEmulated("Vault's help text (?help=1)")
    if (header(request.headers, 'x-vault-wrap-ttl'))
      throw new NotEmulated('response wrapping (X-Vault-Wrap-TTL)')

    // Vault lists a directory: LIST foo is the list of foo/.
    const logical = operation === 'list' && !path.endsWith('/') ? `${path}/` : path
    if (logical.startsWith('sys/')) return sys.handle({ operation, path: logical.slice('sys/'.length), data })
    if (logical.startsWith('auth/token/'))
      return tokens.handle({ operation, path: logical.slice('auth/token/'.length), data })
    const mount = mounts.route(logical)
    if (!mount) return errorResponse(404, [`no handler for route "${logical}". route entry not found.`])
    if (!mount.entry.engine) throw new NotEmulated(`the ${mount.entry.type} secrets engine`)
    return mount.entry.engine.handle({ operation, path: mount.rest, data })
  }

  return (request) => {
    const method = request.method.toUpperCase()
    let response: VaultResponse
    try {
      response = serve(request, method)
    } catch (error) {
      if (error instanceof NotEmulated)
        response = errorResponse(501, [error.describe(requested(request, method))])
      else if (error instanceof VaultError) response = errorResponse(error.status, [error.message])
      else if (error instanceof URIError) response = errorResponse(400, [error.message])
      else response = errorResponse(500, [multiError(error instanceof Error ? error.message : String(error))])
    }
    return render(method, response)
  }
}

/** A 400 for bytes that are no HTTP request, in the emulator's usual JSON form. */
export const malformedRequest = (message: string): HttpResponse =>
  render('GET', errorResponse(400, [message]))

/** The bytes of an HTTP/1.1 response that closes its connection (for a request Node's parser refused). */
export function serializeResponse(response: HttpResponse): Buffer {
  const body = Buffer.from(response.body, 'utf8')
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`]
  for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`)
  lines.push(`content-length: ${body.length}`, 'connection: close', '', '')
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body])
}
