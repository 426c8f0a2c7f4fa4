import { createServer, type IncomingMessage, type Server } from 'node:http'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { type Attachments, s3Attachments } from './attachments.ts'
import { type Authenticate, auth0Jwt, trustUserHeader } from './auth.ts'
import { type NoteEvents, natsNoteEvents, noEvents } from './note-events.ts'
import { type NotesCache, noCache, redisNotesCache } from './notes-cache.ts'
import { plaintext, type Transit, vaultTransit } from './vault-transit.ts'

export interface AppOptions {
  databaseUrl: string
  transit?: Transit
  authenticate?: Authenticate
  attachments?: Attachments
  events?: NoteEvents
  cache?: NotesCache
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = ''
  for await (const chunk of req) raw += chunk
  return JSON.parse(raw) as Record<string, unknown>
}

/**
 * A small notes API on PostgreSQL. With Vault, note bodies are stored as transit ciphertext; with
 * Auth0, callers prove who they are with a bearer JWT (else the `x-user` header is trusted). With S3,
 * notes take an attachment; with NATS, each new note is announced on JetStream; with Redis, each
 * user's list is cached until they add a note.
 */
export function createApp({
  databaseUrl,
  transit = plaintext,
  authenticate = trustUserHeader,
  attachments,
  events = noEvents,
  cache = noCache,
}: AppOptions): { server: Server; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  const owns = async (user: string, id: number) =>
    (await pool.query('SELECT 1 FROM notes WHERE id = $1 AND owner = $2', [id, user])).rowCount === 1
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
    try {
      const user = await authenticate(req)
      if (!user) return send(401, { error: 'who are you?' })
      if (req.method === 'POST' && req.url === '/notes') {
        const { title, body } = await readJson(req)
        if (typeof title !== 'string' || typeof body !== 'string' || !title)
          return send(400, { error: 'title and body are required strings' })
        const { rows } = await pool.query(
          'INSERT INTO notes (owner, title, body) VALUES ($1, $2, $3) RETURNING id',
          [user, title, await transit.encrypt(body)],
        )
        const id = rows[0].id as number
        await cache.forget(user)
        await events.created({ id, owner: user, title })
        return send(201, { id })
      }
      if (req.method === 'GET' && req.url === '/notes') {
        const cached = await cache.get(user)
        if (cached) return send(200, cached, { 'x-cache': 'hit' })
        const { rows } = await pool.query('SELECT id, title, body FROM notes WHERE owner = $1 ORDER BY id', [
          user,
        ])
        const notes = await Promise.all(
          rows.map(async (r) => ({ ...r, body: await transit.decrypt(r.body) })),
        )
        await cache.set(user, notes)
        return send(200, notes, { 'x-cache': 'miss' })
      }
      const attachment = /^\/notes\/(\d+)\/attachment$/.exec(req.url ?? '')
      if (attachment && (req.method === 'PUT' || req.method === 'GET')) {
        if (!attachments)
          return send(501, { error: 'attachments need S3 (AWS_ENDPOINT_URL_S3 or AWS, and NOTES_BUCKET)' })
        const id = Number(attachment[1])
        if (!(await owns(user, id))) return send(404, { error: 'no such note' })
        const key = `notes/${id}/attachment`
        if (req.method === 'PUT') {
          await attachments.put(key, req, req.headers['content-type'] ?? 'application/octet-stream')
          return send(204, {})
        }
        const found = await attachments.get(key)
        if (!found) return send(404, { error: 'no attachment' })
        res.writeHead(200, {
          'content-type': found.contentType,
          ...(found.length !== undefined ? { 'content-length': String(found.length) } : {}),
        })
        return await pipeline(found.body, res)
      }
      send(404, { error: 'not found' })
    } catch (error) {
      if (!res.headersSent) send(500, { error: (error as Error).message })
      else res.destroy(error as Error)
    }
  })
  return {
    server,
    async close() {
      await new Promise((resolve) => server.close(resolve))
      await Promise.all([pool.end(), events.close(), cache.close()])
      attachments?.close()
    },
  }
}

/** Reads its configuration from the environment, as deployed services do. */
export async function appFromEnv(env: NodeJS.ProcessEnv = process.env) {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required')
  const transit =
    env.VAULT_ADDR && env.VAULT_TOKEN
      ? vaultTransit(env.VAULT_ADDR, env.VAULT_TOKEN, env.NOTES_TRANSIT_KEY ?? 'test-data-key')
      : undefined
  const authenticate =
    env.AUTH0_ISSUER_BASE_URL && env.AUTH0_AUDIENCE
      ? auth0Jwt(env.AUTH0_ISSUER_BASE_URL, env.AUTH0_AUDIENCE)
      : undefined
  const attachments = env.NOTES_BUCKET ? s3Attachments(env.NOTES_BUCKET, env.AWS_ENDPOINT_URL_S3) : undefined
  const events = env.NATS_URL
    ? await natsNoteEvents(env.NATS_URL, env.NOTES_SUBJECT_PREFIX ?? 'events', env.NATS_TOKEN)
    : undefined
  const cache = env.REDIS_URL ? redisNotesCache(env.REDIS_URL, env.NOTES_CACHE_PREFIX) : undefined
  return createApp({ databaseUrl: env.DATABASE_URL, transit, authenticate, attachments, events, cache })
}
