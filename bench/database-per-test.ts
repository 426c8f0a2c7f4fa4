// Fresh migrated database per test, on a 20-table template: what a test waits for (setup and
// teardown), p50/p95, for each way of doing it, side by side on the same servers in alternating
// rounds (the machine is shared: compare rows of one run, not runs). Back-to-back one-query tests
// (the worst case: clones must keep pace) and tests whose body takes 10 ms.
//   node bench/database-per-test.ts [binary|embedded|container] [--rounds N]
import { ServiceHub } from '@testbed/core/config'
import type { PostgresConnection } from '@testbed/postgres/config'
import { postgres } from '@testbed/postgres/config'
import pg from 'pg'
import { clientConfig } from '../packages/postgres/dist/connection.js'
import { rollbackDatabase } from '../packages/postgres/dist/rollback-database.js'
// The `database` fixture's building block, from the build (the worker entry would load Vitest).
import { DatabasePool } from '../packages/postgres/dist/test-database.js'
import { args, finish, percentiles, report } from './stats.ts'

const provider = args[0] ?? 'embedded'
const roundsAt = process.argv.indexOf('--rounds')
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 4
const perBlock = 50
const warmUp = 5
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

async function start(
  settings?: Record<string, string>,
): Promise<{ hub: ServiceHub; server: PostgresConnection }> {
  const hub = new ServiceHub()
  hub.register(
    postgres({
      migrations: twentyTables,
      settings,
      container: { image: process.env.TESTBED_POSTGRES_IMAGE },
    }),
  )
  const { postgres: status } = await hub.ensure(['postgres'])
  if (status?.state !== 'ready') throw new Error(status?.reason)
  return { hub, server: status.connection as PostgresConnection }
}

/** What one test does with its database: one query, and for some variants a 10 ms body. */
interface Taken {
  query: (sql: string, values: unknown[]) => Promise<unknown>
  release: () => Promise<void>
}

/** A way to give each test a database: `take` before the test, `release` after, `end` after the block. */
interface Way {
  take: () => Promise<Taken>
  end: () => Promise<void>
}

/** Testbed's pool, as the `database` fixture uses it (its defaults), or with one thing changed. */
function testbedWay(
  server: PostgresConnection,
  change: {
    tcp?: boolean
    walLog?: boolean
    depth?: number
    dropApart?: boolean
    awaitEnd?: boolean
    concurrency?: number
    kernelCopy?: boolean
    connectedAhead?: number
  } = {},
): () => Way {
  return () => {
    const { socket: _socket, cloneStrategy: _strategy, ...tcp } = server
    let c: PostgresConnection = change.tcp ? tcp : server
    if (change.walLog) {
      const { cloneStrategy: _, ...rest } = c
      c = rest
    }
    const depth = change.depth
    const pool = new DatabasePool(c, {
      ...(depth === undefined ? {} : { depth: () => depth }),
      ...(change.dropApart === false ? { dropApart: false } : {}),
      ...(change.concurrency === undefined ? {} : { concurrency: change.concurrency }),
      ...(change.kernelCopy === undefined ? {} : { kernelCopy: change.kernelCopy }),
      ...(change.connectedAhead === undefined ? {} : { connectedAhead: change.connectedAhead }),
    })
    return {
      take: async () => {
        const db = await pool.take()
        return {
          query: (sql, values) => db.query(sql, values),
          release: async () => {
            if (change.awaitEnd) await db.client.end() // the release before this change
            await db.release()
          },
        }
      },
      end: () => pool.end(),
    }
  }
}

/** The hand-written beforeEach/afterEach: CREATE DATABASE … TEMPLATE, connect with DATABASE_URL, DROP. */
function handWritten(server: PostgresConnection): () => Way {
  return () => {
    const { host, port, user, password } = server
    const admin = new pg.Client({ host, port, user, password, database: server.database })
    let n = 0
    let connected: Promise<void> | undefined
    return {
      take: async () => {
        connected ??= admin.connect().then(() => undefined)
        await connected
        const name = `${server.prefix}_hand_${process.pid}_${++n}`
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${server.template}"`)
        const client = new pg.Client({ host, port, user, password, database: name })
        await client.connect()
        return {
          query: (sql, values) => client.query(sql, values),
          release: async () => {
            await client.end()
            await admin.query(`DROP DATABASE "${name}"`)
          },
        }
      },
      end: async () => {
        await admin.end()
      },
    }
  }
}

/**
 * The rollback mode (the `rollbackDatabase` fixture's building block): no new database, the test
 * in a transaction on the worker's connection, BEGIN before and ROLLBACK (with its check for other
 * sessions) after.
 */
function rollbackWay(server: PostgresConnection): () => Way {
  return () => ({
    take: async () => {
      const { database, finish } = await rollbackDatabase(server)
      return { query: (sql, values) => database.query(sql, values), release: finish }
    },
    end: async () => {},
  })
}

/** The floor the rollback mode's two round trips sit on: one `SELECT 1` on an open connection. */
function roundTrip(server: PostgresConnection): () => Way {
  return () => {
    const client = new pg.Client(clientConfig(server, server.shared))
    const connected = client.connect()
    return {
      take: async () => {
        await connected
        await client.query('SELECT 1')
        return { query: (sql, values) => client.query(sql, values), release: async () => {} }
      },
      end: () => client.end(),
    }
  }
}

async function block(way: () => Way, bodyMs: number, waits: number[]): Promise<void> {
  const w = way()
  try {
    for (let i = 0; i < warmUp + perBlock; i++) {
      const start = performance.now()
      const db = await w.take()
      const ready = performance.now()
      await db.query('INSERT INTO t0 (name) VALUES ($1)', ['x'])
      if (bodyMs) await new Promise((r) => setTimeout(r, bodyMs))
      const done = performance.now()
      await db.release()
      if (i >= warmUp) waits.push(ready - start + (performance.now() - done))
    }
  } finally {
    await w.end()
  }
}

const main = await start()
const replica = await start({ wal_level: 'replica', max_wal_senders: '10' })
// A checkpoint scans every buffer header (and a drop every buffer for the database's pages): the
// defaults' 16MB against the 128MB they had before session 18.
const largeBuffers = await start({ shared_buffers: '128MB' })
// The defaults before the adaptive depth, the clones in flight and the kernel's copy (session 18).
const wasBefore = { depth: 2, concurrency: 2, kernelCopy: false }
const ways: Array<{ name: string; bodyMs: number; way: () => Way }> = [
  { name: 'testbed (defaults)', bodyMs: 0, way: testbedWay(main.server) },
  { name: 'testbed, TCP + SCRAM', bodyMs: 0, way: testbedWay(main.server, { tcp: true }) },
  { name: 'testbed, WAL_LOG', bodyMs: 0, way: testbedWay(main.server, { walLog: true }) },
  { name: 'testbed, wal_level=replica', bodyMs: 0, way: testbedWay(replica.server) },
  { name: 'testbed, shared_buffers=128MB', bodyMs: 0, way: testbedWay(largeBuffers.server) },
  { name: 'testbed, pool 4', bodyMs: 0, way: testbedWay(main.server, { depth: 4 }) },
  { name: 'testbed, pool 0', bodyMs: 0, way: testbedWay(main.server, { depth: 0 }) },
  {
    name: 'testbed, files copied in user space',
    bodyMs: 0,
    way: testbedWay(main.server, { kernelCopy: false }),
  },
  { name: 'testbed, 2 clones in flight', bodyMs: 0, way: testbedWay(main.server, { concurrency: 2 }) },
  { name: 'testbed, pool 8 from the start', bodyMs: 0, way: testbedWay(main.server, { depth: 8 }) },
  {
    name: 'testbed, only the next two ahead with a client',
    bodyMs: 0,
    way: testbedWay(main.server, { connectedAhead: 2 }),
  },
  {
    name: 'testbed as it was (pool 2, 2 in flight, user-space copy)',
    bodyMs: 0,
    way: testbedWay(main.server, wasBefore),
  },
  {
    name: 'testbed, drops on the clone connections',
    bodyMs: 0,
    way: testbedWay(main.server, { dropApart: false }),
  },
  { name: 'testbed, release awaits end', bodyMs: 0, way: testbedWay(main.server, { awaitEnd: true }) },
  {
    name: 'testbed before (TCP+SCRAM, replica, awaits end, shared drops)',
    bodyMs: 0,
    way: testbedWay(replica.server, { tcp: true, awaitEnd: true, dropApart: false }),
  },
  { name: 'hand-written beforeEach', bodyMs: 0, way: handWritten(main.server) },
  { name: 'rollback mode', bodyMs: 0, way: rollbackWay(main.server) },
  { name: 'one round trip (reference)', bodyMs: 0, way: roundTrip(main.server) },
  { name: 'testbed (defaults)', bodyMs: 10, way: testbedWay(main.server) },
  {
    name: 'testbed as it was (pool 2, 2 in flight, user-space copy)',
    bodyMs: 10,
    way: testbedWay(main.server, wasBefore),
  },
  { name: 'hand-written beforeEach', bodyMs: 10, way: handWritten(main.server) },
  { name: 'rollback mode', bodyMs: 10, way: rollbackWay(main.server) },
]
const samples = ways.map(() => [] as number[])
const cpuStart = process.cpuUsage()
const wallStart = performance.now()
try {
  for (let round = 0; round < rounds; round++) {
    for (const [i, w] of ways.entries()) {
      await block(w.way, w.bodyMs, samples[i] as number[])
      await new Promise((r) => setTimeout(r, 100)) // the last drops land before the next block
    }
  }
} finally {
  await largeBuffers.hub.stopAll()
  await replica.hub.stopAll()
  await main.hub.stopAll()
}
const p50Of = (name: string, bodyMs: number) =>
  Number(percentiles(samples[ways.findIndex((w) => w.name === name && w.bodyMs === bodyMs)] ?? []).p50)
const rows = ways.map((w, i) => {
  const p = percentiles(samples[i] as number[])
  const hand = p50Of('hand-written beforeEach', w.bodyMs)
  return {
    provider,
    way: w.name,
    'test body': w.bodyMs ? `${w.bodyMs} ms` : 'one query',
    ...p,
    'p50 / hand-written': (Number(p.p50) / hand).toFixed(2),
  }
})
const cpu = process.cpuUsage(cpuStart)
report(
  `database per test (setup + teardown, ms; ${rounds} alternating rounds of ${perBlock}; this process ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU in ${(performance.now() - wallStart).toFixed(0)} ms wall)`,
  rows,
)
finish('database-per-test', { rounds })
