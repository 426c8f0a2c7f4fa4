import { composeFixtures, faultsFixtures } from '@testbed/core'
import { postgresFixtures } from '@testbed/postgres'
import pg from 'pg'
import { describe, expect, test as vitestTest } from 'vitest'

const test = composeFixtures(vitestTest, postgresFixtures, faultsFixtures)

async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {}) // the query that fails says why
  await client.connect()
  return client
}

describe('faults between PostgreSQL and its client', { tags: ['tier2', 'requires_postgres'] }, () => {
  for (const fault of ['cut', 'reset'] as const) {
    test(`${fault}: the open connection fails, a new one works after restore()`, async ({
      database,
      faults,
    }) => {
      const proxy = await faults.proxy(database.url)
      const client = await connected(proxy.url)
      try {
        expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }])
        proxy[fault]()
        const error = await client.query('select 1').then(
          () => undefined,
          (e: Error & { code?: string }) => e.code ?? e.message,
        )
        expect(error).toMatch(fault === 'reset' ? /ECONNRESET/ : /Connection terminated/)
        await expect(connected(proxy.url)).rejects.toThrow(/Connection terminated|ECONNRESET/)
      } finally {
        await client.end().catch(() => {})
      }
      proxy.restore()
      const again = await connected(proxy.url)
      expect((await again.query('select current_database() as db')).rows).toEqual([{ db: database.name }])
      await again.end()
    })
  }

  test('limit: a connection that carried its bytes is closed mid-result', async ({ database, faults }) => {
    const proxy = await faults.proxy(database.url)
    const client = await connected(proxy.url)
    proxy.limit(2000)
    await expect(client.query("select repeat('x', 100000)")).rejects.toThrow(/Connection terminated/)
    await client.end().catch(() => {})
  })
})
