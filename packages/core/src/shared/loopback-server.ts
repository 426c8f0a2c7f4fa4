import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface LoopbackServerOptions {
  /** Default 0: a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
}

export interface LoopbackServer {
  /** `http://<host>:<port>`, without a trailing slash (an IPv6 host in brackets). */
  url: string
  /** The port it listens on: the one asked for, or the one the OS picked. */
  port: number
  /** The `node:http` server, for what a caller adds (a `clientError` listener, timeouts, `unref`). */
  server: Server
  /**
   * Stops listening and ends every open connection, keep-alive ones and those Node's parser gave up
   * on included, so that it never waits on an idle client; resolves once the server is closed. A
   * second call returns the same promise.
   */
  close(): Promise<void>
}

/**
 * An HTTP server on loopback (or `host`) that serves `handler`. Rejects with the listen error as Node
 * gives it (`listen EADDRINUSE: address already in use 127.0.0.1:8200`) when the port is taken.
 */
export async function startLoopbackServer(
  handler: RequestListener,
  { port = 0, host = '127.0.0.1' }: LoopbackServerOptions = {},
): Promise<LoopbackServer> {
  const server = createServer(handler)
  // Every socket, not only those the HTTP server still tracks, so that close() never waits on one.
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = (server.address() as AddressInfo).port
  let closing: Promise<void> | undefined
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    server,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}
