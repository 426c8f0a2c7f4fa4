// Fresh migrated database per test, on a 20-table template: what a test waits for (the `database`
// fixture's setup and teardown), p50/p95 over 200 tests, for each pool size, side by side on one
// server; for back-to-back one-query tests (the worst case: clones must keep pace) and for tests whose
// body takes 10 ms.   node bench/database-per-test.ts [binary|embedded|container]
import { ServiceHub } from '@testbed/core/config'
import type { PostgresConnection } from '@testbed/postgres/config'
import { postgres } from '@testbed/postgres/config'
import type pg from 'pg'
// The `database` fixture's building block, from the build (the worker entry would load Vitest).
import { testDatabase } from '../packages/postgres/dist/test-database.js'
import { args, finish, percentiles, report } from './stats.ts'

const provider = args[0] ?? 'binary'
process.env.TESTBED_POSTGRES_PROVIDERS = provider
const twentyTables = Object.assign(
  async (client: pg.Client) => {
    for (let i = 0; i < 20; i++) {
      await client.query(
        `CREATE TABLE t${i} (id serial PRIMARY KEY, name text NOT NULL, ref int, data jsonb, created timestamptz DEFAULT now());
         CREATE INDEX t${i}_ref ON t${i} (ref)`,
      )
    }
  },
  { version: 'bench-20-tables' },
)

const hub = new ServiceHub()
hub.register(postgres({ migrations: twentyTables, container: { image: process.env.TESTBED_POSTGRES_IMAGE } }))
const { postgres: status } = await hub.ensure(['postgres'])
if (status?.state !== 'ready') throw new Error(status?.reason)
const server = status.connection as PostgresConnection
const rows: Record<string, string>[] = []
try {
  for (const [pool, bodyMs] of [
    ['0', 0],
    ['1', 0],
    ['2', 0],
    ['0', 10],
    ['2', 10],
  ] as const) {
    process.env.TESTBED_POSTGRES_POOL = pool
    // One pool for the server (per worker, here this process); it reads TESTBED_POSTGRES_POOL on every take.
    const waits: number[] = []
    for (let i = 0; i < 220; i++) {
      const start = performance.now()
      const db = await testDatabase(server)
      const ready = performance.now()
      await db.query('INSERT INTO t0 (name) VALUES ($1)', ['x'])
      if (bodyMs) await new Promise((r) => setTimeout(r, bodyMs))
      const done = performance.now()
      await db.release()
      if (i >= 20) waits.push(ready - start + (performance.now() - done)) // first 20: warm-up
    }
    rows.push({
      provider,
      pool,
      'test body': `${bodyMs ? `${bodyMs} ms` : 'one query'}`,
      ...percentiles(waits),
    })
    await new Promise((r) => setTimeout(r, 200)) // let the pool's clones finish before the next size
  }
} finally {
  await hub.stopAll()
}
report('database per test (setup + teardown, ms)', rows)
finish('database-per-test')
