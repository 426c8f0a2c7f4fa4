// Many workers on one server (issue 14 §5): 1,000 one-query database tests over four files, with four
// workers on this machine's cores and, beside it, one worker: clones per second (tests ÷ the span from
// the first file's start to the last file's end), the peak of client connections the server saw
// (sampled every 20 ms), and the databases left behind. The server is the bench's own and outlives
// the nested runs, so leftovers are there to count.
//   node bench/many-workers.ts [provider=embedded] [--tests N] [--json]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ServiceHub } from '@testbed/core/config'
import { type PostgresConnection, postgres } from '@testbed/postgres/config'
import pg from 'pg'
import { postgresUrl } from '../packages/postgres/dist/connection.js'
import { failureReason, runVitest } from './nested-vitest.ts'
import { args, finish, report } from './stats.ts'

const fixture = fileURLToPath(new URL('../packages/postgres/test/fixtures/many-workers/', import.meta.url))
const provider = args[0] ?? 'embedded'
const at = process.argv.indexOf('--tests')
const tests = at > 0 ? Number(process.argv[at + 1]) : 1000

process.env.TESTBED_POSTGRES_PROVIDERS = provider
const hub = new ServiceHub()
hub.register(postgres({ container: { image: process.env.TESTBED_POSTGRES_IMAGE } }))
const { postgres: status } = await hub.ensure(['postgres'])
if (status?.state !== 'ready') throw new Error(status?.reason)
const server = status.connection as PostgresConnection
const watcher = new pg.Client(postgresUrl(server))
await watcher.connect()
const maxConnections = Number((await watcher.query('SHOW max_connections')).rows[0].max_connections)
const out = mkdtempSync(join(tmpdir(), 'testbed-bench-'))

interface JsonReport {
  numPassedTests: number
  numTotalTests: number
  testResults: Array<{ startTime: number; endTime: number }>
}

const rows: Record<string, string>[] = []
try {
  for (const workers of [4, 1]) {
    let peak = 0
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await watcher.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'",
        )
        peak = Math.max(peak, rows[0].n - 1) // not the watcher itself
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    const outputFile = join(out, `${workers}.json`)
    const run = await runVitest(
      fixture,
      ['--project', 'main', `--maxWorkers=${workers}`, '--reporter=json', `--outputFile=${outputFile}`],
      {
        DATABASE_URL: postgresUrl(server),
        TESTBED_POSTGRES_PROVIDERS: 'env', // the bench's server, not one of the nested run's own
        MANY_TESTS: String(tests),
      },
    ).finally(() => {
      sampling = false
    })
    await sampler
    if (run.code !== 0) throw new Error(`${workers} workers: ${failureReason(run.output)}`)
    const json = JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport
    const span =
      Math.max(...json.testResults.map((f) => f.endTime)) -
      Math.min(...json.testResults.map((f) => f.startTime))
    const { rows: left } = await watcher.query(
      "SELECT count(*)::int AS n FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' AND datname NOT LIKE $1",
      [`${server.prefix}\\_%`],
    )
    rows.push({
      provider,
      workers: String(workers),
      'tests passed': `${json.numPassedTests} / ${json.numTotalTests}`,
      'clones / s': ((json.numPassedTests / span) * 1000).toFixed(0),
      'tests span (ms)': span.toFixed(0),
      'run wall (ms)': run.ms.toFixed(0),
      'run CPU (ms)': run.cpuMs.toFixed(0),
      'peak connections': `${peak} of ${maxConnections}`,
      'databases left': String(left[0].n),
    })
  }
} finally {
  rmSync(out, { recursive: true, force: true })
  await watcher.end()
  await hub.stopAll()
}
report(`many workers: ${tests} database tests on one ${provider} server`, rows)
finish('many-workers')
