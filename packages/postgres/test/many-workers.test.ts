import { fileURLToPath } from 'node:url'
import { runVitest } from '@testbed/test-support/run-vitest'
import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { postgresUrl } from '../src/connection.ts'
import { ready, startPostgres, stopAndCheck } from './start-service.ts'

const fixture = fileURLToPath(new URL('./fixtures/many-workers', import.meta.url))
const maxConnections = 40

describe('many workers on one server (issue 14 §5)', { tags: ['slow'] }, () => {
  test('four workers, 1,000 database tests, a server of 40 connections: none refused, none left behind', {
    timeout: 900_000,
  }, async () => {
    // A server of this test's own, small on purpose and outliving the nested run, so what that
    // run leaves behind is there to see.
    const started = await startPostgres(
      { TESTBED_POSTGRES_PROVIDERS: 'embedded' },
      { settings: { max_connections: String(maxConnections) } },
    )
    const c = ready(started)
    const watcher = new pg.Client(postgresUrl(c))
    await watcher.connect()
    try {
      let peak = 0
      let sampling = true
      const sampler = (async () => {
        while (sampling) {
          const { rows } = await watcher.query(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = $1',
            ['client backend'],
          )
          peak = Math.max(peak, rows[0].n)
          await new Promise((r) => setTimeout(r, 20))
        }
      })()
      const run = await runVitest({
        fixture,
        args: ['--project', 'main'],
        env: { DATABASE_URL: postgresUrl(c), MANY_TESTS: '1000' },
        timeoutMs: 840_000,
      }).finally(() => {
        sampling = false
      })
      await sampler
      const failed = run.tests.filter((t) => t.status !== 'passed')
      expect(failed.flatMap((t) => t.failureMessages).slice(0, 3)).toEqual([])
      expect(run.tests).toHaveLength(1000)
      expect(run.code).toBe(0)
      // Four workers' pools (two admin connections, the clients cloned ahead, the test's own) fit.
      expect(peak).toBeGreaterThan(4)
      expect(peak).toBeLessThan(maxConnections)
      // The migrated template stays for the next run; every database the run cloned is gone (what
      // remains is this test's own server's shared database).
      const { rows } = await watcher.query(
        "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1",
      )
      expect(rows.map((r) => r.datname)).toEqual([c.shared])
    } finally {
      await watcher.end()
    }
    expect(await stopAndCheck(started)).toEqual([])
  })
})
