import pg from 'pg'
import type { PostgresConnection } from './connection.js'

/** Connects and runs `SELECT 1`; a wrong password is final, so it is reported as is. */
export async function probePostgres(c: PostgresConnection, signal?: AbortSignal): Promise<void> {
  const client = new pg.Client({ ...c, connectionTimeoutMillis: 2000 })
  const abort = () => client.end().catch(() => {})
  signal?.addEventListener('abort', abort, { once: true })
  try {
    await client.connect()
    await client.query('SELECT 1')
  } finally {
    signal?.removeEventListener('abort', abort)
    await client.end().catch(() => {})
  }
}
