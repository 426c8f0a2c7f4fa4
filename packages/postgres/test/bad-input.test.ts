import { writeFileSync } from 'node:fs'
import { createServer as createNetServer, type Server } from 'node:net'
import { join } from 'node:path'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { postgresUrl } from '../src/connection.ts'
import { ready, reasonOf, startPostgres, stopAndCheck } from './start-service.ts'

async function listening(server: Server, target: string | number): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(target as never, resolve))
  return server
}

describe('bad input gets one clear error, and nothing is left running', { tags: ['tier2'] }, () => {
  test('a malformed DATABASE_URL', async () => {
    const noHost = await startPostgres({ DATABASE_URL: 'postgres://user:secret@:5432/app' })
    expect(reasonOf(noHost)).toBe(
      'postgres unavailable: env: DATABASE_URL is not a valid PostgreSQL URL: it names no host ("postgres://user:***@:5432/app")',
    )
    const other = await startPostgres({ DATABASE_URL: 'mysql://localhost/app' })
    expect(reasonOf(other)).toBe(
      'postgres unavailable: env: DATABASE_URL is not a valid PostgreSQL URL: it must start with postgres:// or postgresql:// ("mysql://localhost/app")',
    )
    // Not silently port 5432.
    const emptyPort = await startPostgres({ DATABASE_URL: 'postgres://u:p@127.0.0.1:' })
    expect(reasonOf(emptyPort)).toBe(
      'postgres unavailable: env: DATABASE_URL is not a valid PostgreSQL URL: its port is empty ("postgres://u:***@127.0.0.1:")',
    )
    const wordPort = await startPostgres({ DATABASE_URL: 'postgres://u:p@127.0.0.1:pg/app' })
    expect(reasonOf(wordPort)).toBe(
      'postgres unavailable: env: DATABASE_URL is not a valid PostgreSQL URL: its port "pg" is not a number ("postgres://u:***@127.0.0.1:pg/app")',
    )
    const pgport = await startPostgres({ PGHOST: '127.0.0.1', PGPORT: 'abc' })
    expect(reasonOf(pgport)).toBe(
      'postgres unavailable: env: PGPORT must be a port number (1-65535), not "abc"',
    )
    // The explicit setting is authoritative: no other provider was tried in its place.
    for (const started of [noHost, other, emptyPort, wordPort, pgport]) {
      expect(started.status.attempts.map((a) => a.provider)).toEqual(['env'])
      expect(await stopAndCheck(started)).toEqual([])
    }
  })

  test('DATABASE_URL on a closed port: refused at once, not waited for', async () => {
    const closed = await listening(createNetServer(), 0)
    const port = (closed.address() as { port: number }).port
    await new Promise((resolve) => closed.close(resolve))
    const started = await startPostgres({ DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/app` })
    expect(reasonOf(started)).toBe(`postgres unavailable: env: connect ECONNREFUSED 127.0.0.1:${port}`)
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('a wrong password', async () => {
    const server = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'embedded' })
    const c = ready(server)
    const started = await startPostgres({ DATABASE_URL: postgresUrl({ ...c, password: 'wrong' }) })
    expect(reasonOf(started)).toBe(
      `postgres unavailable: env: password authentication failed for user "postgres" (postgres@127.0.0.1:${c.port})`,
    )
    expect(reasonOf(started)).not.toContain(c.password)
    expect(await stopAndCheck(started)).toEqual([])
    expect(await stopAndCheck(server)).toEqual([])
  })

  test('a migration with an SQL error names the file and line', async () => {
    const dir = scratchDir('migrations')
    writeFileSync(join(dir, '001_ok.sql'), 'CREATE TABLE a (id int);\n')
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE b (id int);\n\nCREATE TABL c (id int);\n')
    const started = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'embedded' }, { migrations: dir })
    expect(started.status.state).toBe('broken')
    expect(reasonOf(started)).toBe(
      `postgres provisioning failed: migration ${join(dir, '002_broken.sql')} line 3: syntax error at or near "TABL"`,
    )
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('a port already in use', async () => {
    const squatter = await listening(createNetServer(), 0)
    const port = (squatter.address() as { port: number }).port
    try {
      const started = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'embedded' }, { port })
      expect(reasonOf(started)).toBe(
        `postgres unavailable: embedded: port ${port} on 127.0.0.1 is already in use`,
      )
      expect(await stopAndCheck(started)).toEqual([])
    } finally {
      squatter.close()
    }
  })

  test('an unwritable temp dir', async () => {
    const file = join(scratchDir('not-a-dir'), 'file')
    writeFileSync(file, '')
    const started = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'embedded', TESTBED_TMPDIR: file })
    expect(reasonOf(started)).toBe(
      `postgres unavailable: embedded: cannot create a temp dir in ${file} (ENOTDIR); set TESTBED_TMPDIR to a writable directory`,
    )
  })

  test('a Docker socket that accepts but never answers does not hang', async () => {
    const socket = join(scratchDir('mute-docker'), 'docker.sock')
    const mute = await listening(
      createNetServer(() => {}),
      socket,
    )
    try {
      const started = await startPostgres({
        TESTBED_POSTGRES_PROVIDERS: 'container',
        DOCKER_HOST: `unix://${socket}`,
      })
      expect(reasonOf(started)).toBe(
        `postgres unavailable: container: no Docker engine at unix://${socket}: it accepted the connection but did not answer /_ping within 2000 ms`,
      )
    } finally {
      mute.close()
    }
  })

  test('an unknown provider name in TESTBED_POSTGRES_PROVIDERS, and an empty list', async () => {
    const started = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'binary,podman' })
    expect(reasonOf(started)).toBe(
      'postgres misconfigured: TESTBED_POSTGRES_PROVIDERS names unknown provider(s) podman; postgres has: env, container, binary, embedded, and up (from testbed up)',
    )
    const empty = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: ' , ' })
    expect(empty.status.state).toBe('broken')
    expect(reasonOf(empty)).toBe(
      'postgres misconfigured: TESTBED_POSTGRES_PROVIDERS is set to " , ", which names no provider; postgres has: env, container, binary, embedded, and up (from testbed up)',
    )
  })
})
