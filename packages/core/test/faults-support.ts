// What the fault tests share: a real echo server, a client that collects what comes back, and the
// TCP ports this process listens on (to show a refused proxy left nothing listening).
import { once } from 'node:events'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface EchoServer {
  port: number
  /** Bytes the server received, in all. */
  received(): number
  close(): Promise<void>
}

/** A `node:net` server that sends back whatever it reads. */
export async function startEchoServer(): Promise<EchoServer> {
  let received = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.on('data', (data) => {
      received += data.length
      socket.write(data)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as { port: number }).port,
    received: () => received,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

export interface Client {
  socket: Socket
  /** Everything received so far. */
  text(): string
  /** Resolves once `n` bytes in all have been received. */
  bytes(n: number): Promise<string>
  /** Resolves with how the connection ended: 'close', or the error code. */
  ended: Promise<string>
}

export async function connectClient(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port })
  let data = Buffer.alloc(0)
  const waiters = new Set<() => void>()
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk])
    for (const wake of [...waiters]) wake()
  })
  const ended = new Promise<string>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    socket.once('close', () => resolve('close'))
  })
  ended.then(() => {
    for (const wake of [...waiters]) wake()
  })
  await Promise.race([once(socket, 'connect'), ended.then((how) => Promise.reject(new Error(how)))])
  return {
    socket,
    text: () => data.toString(),
    ended,
    bytes: (n) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (data.length >= n) {
            waiters.delete(check)
            resolve(data.toString())
          } else if (socket.destroyed) {
            waiters.delete(check)
            reject(new Error(`the connection ended after ${data.length} of ${n} bytes: ${data.toString()}`))
          }
        }
        waiters.add(check)
        check()
      }),
  }
}

/** The TCP ports this process listens on, read from /proc (IPv4 and IPv6). */
export function listeningPorts(): number[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (match?.[1]) inodes.add(match[1])
    } catch {}
  }
  const ports: number[] = []
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      const [, local, , state, , , , , , inode] = fields
      if (state === '0A' && inode && inodes.has(inode))
        ports.push(Number.parseInt(local?.split(':')[1] ?? '', 16))
    }
  }
  return ports.sort((a, b) => a - b)
}
