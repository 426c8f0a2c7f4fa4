import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { ServiceHub } from './service-hub.js'

/**
 * The hub on loopback HTTP. Workers (and their fixtures) ask it for services as their test files
 * need them; `provide`/`inject` only carries values fixed before workers start, too early to be lazy.
 */
export class HubServer {
  readonly token = randomBytes(16).toString('hex')
  private server: Server | undefined
  url = ''

  constructor(private readonly hub: ServiceHub) {}

  async listen(): Promise<string> {
    const server = createServer(async (req, res) => {
      if (req.method !== 'POST' || req.url !== '/ensure' || req.headers['x-testbed-token'] !== this.token) {
        res.writeHead(404).end()
        return
      }
      try {
        let body = ''
        for await (const chunk of req) body += chunk
        const { services } = JSON.parse(body) as { services: string[] }
        const statuses = await this.hub.ensure(services)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(statuses))
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String((error as Error)?.stack ?? error))
      }
    })
    server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    server.unref()
    this.server = server
    const address = server.address()
    this.url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : ''
    return this.url
  }

  close(): Promise<void> {
    const server = this.server
    this.server = undefined
    return new Promise((resolve) => {
      if (!server) return resolve()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}
