// The emulator on loopback: node:http around the handler, plus Vault's LIST method, which Node's HTTP
// parser refuses (HPE_INVALID_METHOD) and which is therefore answered from the `clientError` event.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { startLoopbackServer } from '@testbed/core/standalone'
import {
  createVaultHandler,
  type HttpRequest,
  malformedRequest,
  serializeResponse,
  type VaultHandler,
} from './router.js'

export interface VaultEmulatorOptions {
  /** The root token, the only one accepted (`X-Vault-Token` or `Authorization: Bearer`). */
  rootToken: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: a free port. */
  port?: number
}

export interface VaultEmulator {
  /** `http://<host>:<port>`, to use as VAULT_ADDR. */
  url: string
  close(): Promise<void>
}

function answer(handle: VaultHandler, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('error', () => res.destroy())
  req.on('end', () => {
    const { status, headers, body } = handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks),
    })
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
}

const MAX_HEAD_BYTES = 64 * 1024
const NOTHING = Buffer.alloc(0)

/** The head of a request Node refused to parse: method, target and headers. */
function parseHead(head: string): Omit<HttpRequest, 'body'> | undefined {
  const [requestLine = '', ...lines] = head.split('\r\n')
  const [method, url] = requestLine.split(' ')
  if (!method || !url) return undefined
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { method, url, headers }
}

/**
 * `rawPacket` is the chunk the parser failed on. A LIST whose first bytes came alone ("L", "LI": the
 * start of LINK or LOCK) had them parsed away without an error; they are put back.
 */
function lostPrefix(waiting: Buffer | undefined, packet: Buffer | undefined): Buffer {
  const text = waiting ? '' : (packet?.subarray(0, 5).toString('latin1') ?? '')
  return Buffer.from(text.startsWith('IST /') ? 'L' : text.startsWith('ST /') ? 'LI' : '', 'latin1')
}

/**
 * Vault clients send `LIST /v1/... HTTP/1.1`, a method Node's parser rejects before any request event
 * (as any method outside its list), handing over the bytes it read: the emulator answers from them,
 * as Vault would (LIST, or 405 for another method), and closes the connection. Anything else Node
 * cannot parse gets a 400.
 */
function answerUnparsed(handle: VaultHandler) {
  const pending = new WeakMap<Duplex, Buffer>()
  return (error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) => {
    if (!socket.writable) return void socket.destroy()
    const waiting = pending.get(socket)
    if (!waiting && error.code !== 'HPE_INVALID_METHOD')
      return void socket.end(serializeResponse(malformedRequest(`malformed HTTP request: ${error.message}`)))
    const seen = Buffer.concat([
      waiting ?? NOTHING,
      lostPrefix(waiting, error.rawPacket),
      error.rawPacket ?? NOTHING,
    ])
    const end = seen.indexOf('\r\n\r\n')
    // The rest of the head comes with the parser's next error, as more bytes arrive.
    if (end < 0 && seen.length < MAX_HEAD_BYTES) return void pending.set(socket, seen)
    pending.delete(socket)
    const head = end < 0 ? undefined : parseHead(seen.subarray(0, end).toString('latin1'))
    const response = head ? handle({ ...head, body: NOTHING }) : malformedRequest('malformed HTTP request')
    socket.end(serializeResponse(response))
  }
}

/** A Vault dev-mode server in this process: in-memory, unsealed, `secret/` mounted as kv-v2. */
export async function startVaultEmulator(options: VaultEmulatorOptions): Promise<VaultEmulator> {
  const handle = createVaultHandler({ rootToken: options.rootToken })
  const { url, server, close } = await startLoopbackServer((req, res) => answer(handle, req, res), {
    host: options.host,
    port: options.port,
  })
  server.on('clientError', answerUnparsed(handle))
  return { url, close }
}
