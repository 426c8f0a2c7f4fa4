import { createServer, type Server } from 'node:http'
import pg from 'pg'
import { type Authenticate, auth0Jwt, trustUserHeader } from './auth.ts'
import { plaintext, type Transit, vaultTransit } from './vault-transit.ts'

export interface AppOptions {
  databaseUrl: string
  transit?: Transit
  authenticate?: Authenticate
}

/**
 * A small notes API on PostgreSQL. With Vault, note bodies are stored as transit ciphertext; with
 * Auth0, callers prove who they are with a bearer JWT (else the `x-user` header is trusted).
 */
export function createApp({ databaseUrl, transit = plaintext, authenticate = trustUserHeader }: AppOptions): {
  server: Server
  close(): Promise<void>
} {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    try {
      const user = await authenticate(req)
      if (!user) return send(401, { error: 'who are you?' })
      if (req.method === 'POST' && req.url === '/notes') {
        let raw = ''
        for await (const chunk of req) raw += chunk
        const { title, body } = JSON.parse(raw) as { title?: unknown; body?: unknown }
        if (typeof title !== 'string' || typeof body !== 'string' || !title)
          return send(400, { error: 'title and body are required strings' })
        const { rows } = await pool.query(
          'INSERT INTO notes (owner, title, body) VALUES ($1, $2, $3) RETURNING id',
          [user, title, await transit.encrypt(body)],
        )
        return send(201, { id: rows[0].id })
      }
      if (req.method === 'GET' && req.url === '/notes') {
        const { rows } = await pool.query('SELECT id, title, body FROM notes WHERE owner = $1 ORDER BY id', [
          user,
        ])
        return send(
          200,
          await Promise.all(rows.map(async (r) => ({ ...r, body: await transit.decrypt(r.body) }))),
        )
      }
      send(404, { error: 'not found' })
    } catch (error) {
      send(500, { error: (error as Error).message })
    }
  })
  return {
    server,
    async close() {
      await new Promise((resolve) => server.close(resolve))
      await pool.end()
    },
  }
}

/** Reads its configuration from the environment, as deployed services do. */
export function appFromEnv(env: NodeJS.ProcessEnv = process.env) {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required')
  const transit =
    env.VAULT_ADDR && env.VAULT_TOKEN
      ? vaultTransit(env.VAULT_ADDR, env.VAULT_TOKEN, env.NOTES_TRANSIT_KEY ?? 'test-data-key')
      : undefined
  const authenticate =
    env.AUTH0_ISSUER_BASE_URL && env.AUTH0_AUDIENCE
      ? auth0Jwt(env.AUTH0_ISSUER_BASE_URL, env.AUTH0_AUDIENCE)
      : undefined
  return createApp({ databaseUrl: env.DATABASE_URL, transit, authenticate })
}
