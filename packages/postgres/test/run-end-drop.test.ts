// The run's end drops every database of its prefix, those whose clone was still running on the
// server too: a worker stopped mid-clone leaves its CREATE DATABASE running there, and it commits
// after a sweep would have looked (docs/decisions.md).
import pg from 'pg'
import { describe, expect } from 'vitest'
import { postgresUrl } from '../src/connection.ts'
import { test } from '../src/index.ts'
import { dropDatabasesWithPrefix } from '../src/template-database.ts'

describe("the run's end", { tags: ['requires_postgres', 'tier2'] }, () => {
  test('drops a database whose clone was still running when the sweep began', async ({
    postgresConnection,
  }) => {
    const url = postgresUrl(postgresConnection)
    const base = `testbed_inflight_${process.pid.toString(36)}`
    const source = `${base}_source`
    const prefix = `${base}_run`
    const [holder, cloner, sweeper] = [new pg.Client(url), new pg.Client(url), new pg.Client(url)]
    await Promise.all([holder, cloner, sweeper].map((c) => c.connect()))
    try {
      const clonerPid = (await cloner.query('SELECT pg_backend_pid() AS pid')).rows[0].pid
      await holder.query(`CREATE DATABASE ${source}`)
      // COMMENT ON DATABASE holds a lock on the source database until its transaction ends, which a
      // clone of it waits for: the clone stays running, as one whose worker has stopped would.
      await holder.query('BEGIN')
      await holder.query(`COMMENT ON DATABASE ${source} IS 'held by the test'`)
      const clone = cloner.query(`CREATE DATABASE "${prefix}_1" TEMPLATE ${source}`)
      clone.catch(() => {})
      const cloneWaits = async () =>
        (
          await sweeper.query(
            "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND wait_event_type = 'Lock'",
            [clonerPid],
          )
        ).rowCount
      await expect.poll(cloneWaits, { timeout: 60_000, interval: 50 }).toBe(1)
      let swept = false
      const sweep = dropDatabasesWithPrefix(sweeper, prefix).then(() => {
        swept = true
      })
      // The sweep cannot end while the clone runs; once the clone is let go, it drops its database.
      await holder.query('COMMIT')
      await clone
      await sweep
      expect(swept).toBe(true)
      const left = await holder.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
        prefix,
      ])
      expect(left.rows).toEqual([])
    } finally {
      await holder.query('ROLLBACK').catch(() => {})
      await holder.query(`DROP DATABASE IF EXISTS "${prefix}_1" WITH (FORCE)`).catch(() => {})
      await holder.query(`DROP DATABASE IF EXISTS ${source} WITH (FORCE)`).catch(() => {})
      await Promise.all([holder, cloner, sweeper].map((c) => c.end()))
    }
  })
})
