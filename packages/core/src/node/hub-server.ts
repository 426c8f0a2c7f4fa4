import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type LoopbackServer, startLoopbackServer } from '../shared/loopback-server.js'
import { RestartRefused } from './restart-refused.js'
import type { ServiceHub } from './service-hub.js'

/**
 * The hub on loopback HTTP. Workers (and their fixtures) ask it for services as their test files
 * need them; `provide`/`inject` only carries values fixed before workers start, too early to be lazy.
 */
export class HubServer {
  readonly token = randomBytes(16).toString('hex')
  private server: LoopbackServer | undefined
  url = ''

  constructor(private readonly hub: ServiceHub) {}

  async listen(): Promise<string> {
    const server = await startLoopbackServer((req, res) => void this.answer(req, res))
    server.server.keepAliveTimeout = 60_000
    server.server.unref()
    this.server = server
    this.url = server.url
    return this.url
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = req.url === '/ensure' || req.url === '/restart' ? req.url : undefined
    if (req.method !== 'POST' || !route || req.headers['x-testbed-token'] !== this.token) {
      res.writeHead(404).end()
      return
    }
    try {
      let body = ''
      for await (const chunk of req) body += chunk
      if (route === '/restart') {
        const { service } = JSON.parse(body) as { service: string }
        await this.hub.restart(service)
        res.writeHead(204).end()
        return
      }
      const { services } = JSON.parse(body) as { services: string[] }
      const statuses = await this.hub.ensure(services)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(statuses))
    } catch (error) {
      if (error instanceof RestartRefused) {
        res.writeHead(409, { 'content-type': 'text/plain' }).end(error.message)
        return
      }
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String((error as Error)?.stack ?? error))
    }
  }

  close(): Promise<void> {
    const server = this.server
    this.server = undefined
    return server ? server.close() : Promise.resolve()
  }
}
