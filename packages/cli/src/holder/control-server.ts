// The control endpoint of `testbed up --detach`'s background process: loopback HTTP, every request
// with its bearer token. `GET /status` is how a test run (whyNotLive) and `testbed status` know the
// process is the one the state file names; `POST /down` stops it.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ControlStatus {
  pid: number
  checkout: string
  startedAt: string
  services: Array<{ name: string; provider: string; endpoint: string; since: string }>
}

export class ControlServer {
  readonly token = randomBytes(24).toString('base64url')
  private readonly server: Server

  constructor(status: () => ControlStatus, onDown: () => void) {
    this.server = createServer((req, res) => {
      const given = Buffer.from(req.headers.authorization ?? '')
      const expected = Buffer.from(`Bearer ${this.token}`)
      const json = (code: number, body: unknown) =>
        res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return json(401, { error: 'a bearer token is required (the one in the state file)' })
      if (req.method === 'GET' && req.url === '/status') return json(200, status())
      if (req.method === 'POST' && req.url === '/down') {
        json(202, { stopping: true })
        onDown()
        return
      }
      json(404, { error: 'GET /status or POST /down' })
    })
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(0, '127.0.0.1', resolve)
    })
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
