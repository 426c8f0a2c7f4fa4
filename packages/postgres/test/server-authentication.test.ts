import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { postgresUrl } from '../src/connection.ts'
import { settingsArgs } from '../src/server-settings.ts'
import { testDatabase } from '../src/test-database.ts'
import { ready, startPostgres, stopAndCheck } from './start-service.ts'

/** The SQLSTATE a connection attempt fails with, or 'connected'. */
async function connectAs(config: pg.ClientConfig): Promise<string> {
  const client = new pg.Client(config)
  client.on('error', () => {})
  try {
    await client.connect()
    return 'connected'
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message
  } finally {
    await client.end().catch(() => {})
  }
}

describe('authentication on the servers Testbed starts, and on the ones it does not', {
  tags: ['tier2'],
}, () => {
  test('Testbed’s own connections take the trusted socket; TCP still asks for the password', async () => {
    const started = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'embedded' })
    const c = ready(started)
    expect(c.socket).toBeDefined()
    const db = await testDatabase(c)
    try {
      // The pool's client came through the socket: no password was needed there.
      expect((db.client as unknown as { host: string }).host).toBe(c.socket)
      expect(await connectAs({ host: c.socket, port: c.port, user: c.user, database: db.name })).toBe(
        'connected',
      )
      // Code under test gets TCP and the password; a wrong one is refused.
      expect(db.url).toBe(postgresUrl(c, db.name))
      expect(await connectAs({ connectionString: db.url })).toBe('connected')
      expect(
        await connectAs({ host: c.host, port: c.port, user: c.user, password: 'wrong', database: db.name }),
      ).toBe('28P01')
    } finally {
      await db.release()
    }
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('a server Testbed did not start keeps its own authentication: TCP with the password', async () => {
    const owned = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'embedded' })
    const server = ready(owned)
    const found = await startPostgres({
      DATABASE_URL: postgresUrl(server),
      TESTBED_POSTGRES_PROVIDERS: 'env',
    })
    const c = ready(found)
    expect(c.socket).toBeUndefined()
    const db = await testDatabase(c)
    try {
      expect((db.client as unknown as { host: string }).host).toBe('127.0.0.1')
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    } finally {
      await db.release()
    }
    expect(await stopAndCheck(found)).toEqual([])
    expect(await stopAndCheck(owned)).toEqual([])
  })

  test('a wal_level of yours comes with the WAL senders it needs', async () => {
    expect(settingsArgs()).toEqual(expect.arrayContaining(['wal_level=minimal', 'max_wal_senders=0']))
    expect(settingsArgs({ wal_level: 'logical' }).filter((a) => a.startsWith('max_wal_senders'))).toEqual([])
    const started = await startPostgres(
      { TESTBED_POSTGRES_PROVIDERS: 'embedded' },
      { settings: { wal_level: 'logical' } },
    )
    const c = ready(started)
    const client = new pg.Client(postgresUrl(c))
    await client.connect()
    try {
      expect((await client.query('SHOW wal_level')).rows[0].wal_level).toBe('logical')
      expect(Number((await client.query('SHOW max_wal_senders')).rows[0].max_wal_senders)).toBeGreaterThan(0)
    } finally {
      await client.end()
    }
    expect(await stopAndCheck(started)).toEqual([])
  })
})
