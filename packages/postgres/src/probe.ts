import { describeNetworkError, ProbeRefused } from '@testbed/core/config'
import type { PostgresFound } from './connection.js'
import { loadPg } from './load-pg.js'

// SQLSTATE classes where waiting cannot help: bad credentials, a database that does not exist.
const FINAL = new Set(['28P01', '28000', '3D000'])

/**
 * Connects and runs `SELECT 1`. How long an attempt may take is the readiness policy's to say
 * (through `signal`): a live server that is slow to answer, under CPU load say, is waited for.
 */
export async function probePostgres(c: PostgresFound, signal?: AbortSignal): Promise<void> {
  const pg = await loadPg()
  const client = new pg.Client(c)
  const abort = () => client.end().catch(() => {})
  signal?.addEventListener('abort', abort, { once: true })
  try {
    await client.connect()
    await client.query('SELECT 1')
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code && FINAL.has(code))
      throw new ProbeRefused(`${(error as Error).message} (${c.user}@${c.host}:${c.port})`)
    if (signal?.aborted) throw new Error(`${c.host}:${c.port} did not answer in time`, { cause: error })
    // A server's own error (starting up, say) has a SQLSTATE; a connection error is described with its cause.
    if (error instanceof pg.DatabaseError) throw error
    throw new Error(describeNetworkError(error), { cause: error })
  } finally {
    signal?.removeEventListener('abort', abort)
    await client.end().catch(() => {})
  }
}
