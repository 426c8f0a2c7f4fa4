import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { postgresUrl } from '../src/connection.ts'
import { ready, startPostgres, stopAndCheck } from './start-service.ts'

const migrations = new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname

async function templateOid(url: string, template: string): Promise<number | undefined> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    const { rows } = await client.query('SELECT oid FROM pg_database WHERE datname = $1 AND datistemplate', [
      template,
    ])
    return rows[0]?.oid
  } finally {
    await client.end()
  }
}

describe('a server that outlives a run', { tags: ['requires_postgres_binaries', 'tier2'] }, () => {
  // What `testbed up` is to a test run: a server found, not started, provisioned again by each run
  // with its own config (the `up` provider hands over what up's provider found, as `env` does here).
  test('a later run reuses its template rather than building it again', async () => {
    const up = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'binary' }, { migrations })
    const server = ready(up)
    const url = postgresUrl(server)
    const before = await templateOid(url, server.template)
    expect(before).toBeDefined()

    const run = await startPostgres({ DATABASE_URL: url, TESTBED_POSTGRES_PROVIDERS: 'env' }, { migrations })
    const reused = ready(run)
    expect(reused.template).toBe(server.template)
    expect(await templateOid(url, server.template)).toBe(before) // the same database, not a rebuilt one
    expect(reused.shared).not.toBe(server.shared)
    expect(await stopAndCheck(run)).toEqual([])
    // The run's end drops its own databases, never the template.
    expect(await templateOid(url, server.template)).toBe(before)
    expect(await stopAndCheck(up)).toEqual([])
  })
})
