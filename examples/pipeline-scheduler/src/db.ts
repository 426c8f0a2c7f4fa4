import pg from 'pg'

// timestamptz as Date, date as 'YYYY-MM-DD' (not a local-midnight Date).
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)

export function createPool(databaseUrl: string): pg.Pool {
  // Room for runs held in their transactions alongside the API's queries and the leases' renewals.
  // The application name says which process a connection is of (a test checks a killed one left none).
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 12,
    application_name: `pipeline-scheduler:${process.pid}`,
  })
  // A connection lost while idle (a restarted server, a cut network) is dropped from the pool and
  // replaced on next use; without a listener the error would end the process.
  pool.on('error', () => {})
  return pool
}

/** Runs `fn` in a transaction on one client; a client whose connection broke is discarded, not reused. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  client.on('error', () => {})
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError
    })
    throw error
  } finally {
    client.release(broken)
  }
}

export const utcDay = (at: Date) => at.toISOString().slice(0, 10)
