import { writeFileSync } from 'node:fs'
import { createServer as createNetServer, type Server } from 'node:net'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { scratchDir } from '../../core/test/scratch-dir.ts'
import { connectionUrl } from '../src/connection.ts'
import { ready, reasonOf, startPostgres, stopAndCheck } from './start-service.ts'

async function listening(server: Server, target: string | number): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(target as never, resolve))
  return server
}

describe('bad input gets one clear error, and nothing is left running', { tags: ['tier2'] }, () => {
  test('a malformed DATABASE_URL', async () => {
    const started = await startPostgres({ DATABASE_URL: 'postgres://user:secret@:5432/app' })
    expect(reasonOf(started)).toBe(
      'postgres unavailable: env: DATABASE_URL is not a valid PostgreSQL URL: Invalid URL',
    )
    const other = await startPostgres({ DATABASE_URL: 'mysql://localhost/app' })
    expect(reasonOf(other)).toContain(
      'env: DATABASE_URL is not a valid PostgreSQL URL: it must start with postgres://',
    )
    // The explicit setting is authoritative: no other provider was tried in its place.
    expect(started.status.attempts.map((a) => a.provider)).toEqual(['env'])
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('a wrong password', async () => {
    const server = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'embedded' })
    const c = ready(server)
    const started = await startPostgres({ DATABASE_URL: connectionUrl({ ...c, password: 'wrong' }) })
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

  test('an unknown provider name in TESTBED_POSTGRES_PROVIDERS', async () => {
    const started = await startPostgres({ TESTBED_POSTGRES_PROVIDERS: 'binary,podman' })
    expect(reasonOf(started)).toBe(
      'postgres misconfigured: TESTBED_POSTGRES_PROVIDERS names unknown provider(s) podman; postgres has: env, container, binary, embedded',
    )
  })
})
