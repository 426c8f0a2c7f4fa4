import { ProbeRefused } from '@testbed/core/config'
import pg from 'pg'
import type { PostgresConnection } from './connection.js'

// SQLSTATE classes where waiting cannot help: bad credentials, a database that does not exist.
const FINAL = new Set(['28P01', '28000', '3D000'])

/** Connects and runs `SELECT 1`. */
export async function probePostgres(c: PostgresConnection, signal?: AbortSignal): Promise<void> {
  const client = new pg.Client({ ...c, connectionTimeoutMillis: 2000 })
  const abort = () => client.end().catch(() => {})
  signal?.addEventListener('abort', abort, { once: true })
  try {
    await client.connect()
    await client.query('SELECT 1')
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code && FINAL.has(code))
      throw new ProbeRefused(`${(error as Error).message} (${c.user}@${c.host}:${c.port})`)
    throw error
  } finally {
    signal?.removeEventListener('abort', abort)
    await client.end().catch(() => {})
  }
}
