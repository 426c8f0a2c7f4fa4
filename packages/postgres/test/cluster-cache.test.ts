import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eventually } from '@testbed/test-support/eventually'
import { alive, runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import pg from 'pg'
import { describe, expect, test, vi } from 'vitest'
import { type PostgresConnection, postgresUrl } from '../src/connection.ts'
import { clusterCacheDir, KEEP_ENTRIES, prune } from '../src/providers/cluster-cache.ts'
import { ready, startPostgres, stopAndCheck } from './start-service.ts'

const fixture = fileURLToPath(new URL('./fixtures/cluster-cache', import.meta.url))

/** A temp root the server (the postgres user, when we are root) may use. */
function serverDir(prefix: string): string {
  const dir = scratchDir(prefix)
  chmodSync(dir, 0o755)
  return dir
}

/** The cache's entries: each `pg-<key>` complete, nothing half-built or set aside. */
function entries(cache: string): string[] {
  return readdirSync(cache).sort()
}

/** The pid of a postgres listening on no TCP port (the template build's) with its data under `root`. */
function buildServer(root: string): number | undefined {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const args = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      } catch {
        return []
      }
    })()
    if (args.includes('listen_addresses=') && args.some((a) => a.startsWith(root))) return Number(pid)
  }
  return undefined
}

const secureNotes = fileURLToPath(new URL('../../../examples/secure-notes/migrations', import.meta.url))

/** What the template's comment says (when it was migrated), and whether `table` is in the run's database. */
async function templateOf(c: PostgresConnection, table: string): Promise<{ comment: string; has: boolean }> {
  const client = new pg.Client(postgresUrl(c, c.shared))
  await client.connect()
  try {
    const { rows } = await client.query(
      "SELECT shobj_description(oid, 'pg_database') AS comment, to_regclass($2) IS NOT NULL AS has FROM pg_database WHERE datname = $1",
      [c.template, table],
    )
    return { comment: rows[0].comment, has: rows[0].has }
  } finally {
    await client.end()
  }
}

describe('the initialised-cluster cache', { tags: ['requires_postgres_binaries', 'tier2'] }, () => {
  test('two concurrent cold starts share one cache entry, and a later start copies it', {
    timeout: 180_000,
  }, async () => {
    const cache = scratchDir('cluster-cache')
    const run = (tmp: string) =>
      runVitest({
        fixture,
        env: {
          TESTBED_POSTGRES_PROVIDERS: 'binary',
          TESTBED_POSTGRES_CLUSTER_CACHE: cache,
          TESTBED_TMPDIR: tmp,
        },
        timeoutMs: 150_000,
      })
    const tmps = [serverDir('cold-a'), serverDir('cold-b')]
    const both = await Promise.all(tmps.map(run))
    for (const r of both) expect(r.code, r.stdout + r.stderr).toBe(0)
    // One initialised cluster, and one with the template migrated; nothing half-built or set aside.
    const [entry, withTemplate, ...others] = entries(cache)
    expect(others).toEqual([])
    expect(entry).toMatch(/^pg-[0-9a-f]{16}$/)
    expect(withTemplate).toMatch(new RegExp(`^${entry}-tpl-[0-9a-f]{12}$`))
    for (const e of [entry, withTemplate] as string[])
      expect(readdirSync(join(cache, e)).sort()).toEqual(['complete', 'data', 'manifest', 'password'])
    // Nothing is left but the cache: the servers' temp dirs are gone.
    for (const tmp of tmps) expect(readdirSync(tmp)).toEqual([])

    const later = await run(tmps[0] as string)
    expect(later.code, later.stdout + later.stderr).toBe(0)
    expect(later.stderr).toContain('copying the cached cluster with its migrated template')
    expect(later.stderr).not.toMatch(/postgres \(binary\): (initdb|migrating)/)
    expect(entries(cache)).toEqual([entry, withTemplate])
    expect(readdirSync(tmps[0] as string)).toEqual([])
  })

  test('a partial or corrupt entry is rebuilt, and what a dead run half-built is swept', async () => {
    const cache = scratchDir('cluster-cache')
    const env = { TESTBED_POSTGRES_PROVIDERS: 'binary', TESTBED_POSTGRES_CLUSTER_CACHE: cache }
    const first = await startPostgres(env)
    ready(first)
    expect(await stopAndCheck(first)).toEqual([])
    const [entry, withTemplate] = entries(cache) as [string, string]
    // Damage one: no marker, no PG_VERSION; the other as an older Testbed made it, without a
    // manifest; and a build of a process that no longer exists.
    rmSync(join(cache, entry, 'complete'))
    rmSync(join(cache, entry, 'data', 'PG_VERSION'))
    rmSync(join(cache, withTemplate, 'manifest'))
    mkdirSync(join(cache, `${entry}.tmp-999999999-dead`))

    const second = await startPostgres(env)
    const connection = ready(second)
    expect(connection.port).toBeGreaterThan(0)
    expect(await stopAndCheck(second)).toEqual([])
    expect(entries(cache)).toEqual([entry, withTemplate])
    for (const e of [entry, withTemplate])
      for (const file of ['complete', 'manifest', 'data/PG_VERSION'])
        expect(existsSync(join(cache, e, file)), `${e}/${file}`).toBe(true)
  })

  test('a second start copies the migrated template; a changed migration builds a new one', async () => {
    const cache = scratchDir('cluster-cache')
    const migrations = scratchDir('migrations')
    cpSync(secureNotes, migrations, { recursive: true })
    const env = { TESTBED_POSTGRES_PROVIDERS: 'binary', TESTBED_POSTGRES_CLUSTER_CACHE: cache }
    const startWith = async (table: string) => {
      const started = await startPostgres(env, { migrations })
      const seen = await templateOf(ready(started), table)
      expect(await stopAndCheck(started)).toEqual([])
      return seen
    }
    const first = await startWith('notes')
    expect(first).toMatchObject({ comment: expect.stringMatching(/^testbed template, migrated /), has: true })
    const [base, withTemplate] = entries(cache) as [string, string]
    // The template came with the cluster: the comment of the first start's build, no migration since.
    expect(await startWith('notes')).toEqual(first)
    expect(entries(cache)).toEqual([base, withTemplate])

    writeFileSync(join(migrations, '999_more.sql'), 'CREATE TABLE more_notes (id int);\n')
    const changed = await startWith('more_notes')
    expect(changed.has).toBe(true)
    expect(changed.comment).not.toBe(first.comment)
    const now = entries(cache)
    expect(now).toHaveLength(3)
    expect(now).toEqual(expect.arrayContaining([base, withTemplate]))
  })

  test('a damaged template entry is said so, set aside and rebuilt', async () => {
    const cache = scratchDir('cluster-cache')
    const env = { TESTBED_POSTGRES_PROVIDERS: 'binary', TESTBED_POSTGRES_CLUSTER_CACHE: cache }
    const first = await startPostgres(env, { migrations: secureNotes })
    const built = await templateOf(ready(first), 'notes')
    expect(await stopAndCheck(first)).toEqual([])
    const withTemplate = entries(cache)[1] as string
    // A file of the cluster grown since it was stored (a disk error, a stray write).
    appendFileSync(join(cache, withTemplate, 'data', 'PG_VERSION'), 'x')

    const warn = vi.spyOn(console, 'warn')
    try {
      const second = await startPostgres(env, { migrations: secureNotes })
      const rebuilt = await templateOf(ready(second), 'notes')
      expect(await stopAndCheck(second)).toEqual([])
      expect(rebuilt.has).toBe(true)
      expect(rebuilt.comment).not.toBe(built.comment)
      expect(warn).toHaveBeenCalledWith(
        `testbed: postgres: the cached cluster with its migrated template ${join(cache, withTemplate)} is damaged (its files differ from its manifest): setting it aside and building it again`,
      )
    } finally {
      warn.mockRestore()
    }
    expect(entries(cache)).toHaveLength(2)
    expect(existsSync(join(cache, withTemplate, 'complete'))).toBe(true)
  })

  test('Ctrl-C while the template is migrated for the cache stops its server and caches nothing half-done', {
    timeout: 180_000,
  }, async () => {
    const cache = scratchDir('cluster-cache')
    const tmp = serverDir('interrupted')
    const migrations = scratchDir('migrations')
    writeFileSync(join(migrations, '001_slow.sql'), 'SELECT pg_sleep(600);\n')
    let server: number | undefined
    const run = await runVitest({
      fixture,
      env: {
        TESTBED_POSTGRES_PROVIDERS: 'binary',
        TESTBED_POSTGRES_CLUSTER_CACHE: cache,
        TESTBED_TMPDIR: tmp,
        CLUSTER_CACHE_MIGRATIONS: migrations,
      },
      timeoutMs: 150_000,
      onSpawn(child, output) {
        const poll = setInterval(() => {
          if (!output().includes('migrating the template into the cluster to cache')) return
          // The build's postgres: the one whose data dir is under this run's TESTBED_TMPDIR, socket only.
          server = buildServer(tmp)
          if (server === undefined) return
          clearInterval(poll)
          child.kill('SIGINT')
        }, 50)
      },
    })
    expect(run.signal ?? run.code).not.toBe(0)
    expect(server).toBeDefined()
    await eventually(() => !alive(server as number), `the build's postgres ${server} stopped`)
    await eventually(() => readdirSync(tmp).length === 0, `${tmp} emptied`)
    // The initialised cluster was cached before; nothing with a template, nothing half-built.
    expect(entries(cache)).toEqual([expect.stringMatching(/^pg-[0-9a-f]{16}$/)])
  })

  test('keeps the most recently used entries and prunes the others', async () => {
    const cache = scratchDir('cluster-cache')
    const names = Array.from({ length: KEEP_ENTRIES + 2 }, (_, i) => `pg-${String(i).padStart(16, '0')}`)
    names.forEach((name, i) => {
      mkdirSync(join(cache, name, 'data'), { recursive: true })
      utimesSync(join(cache, name), 1000 + i, 1000 + i)
    })
    // Not an entry: left alone.
    writeFileSync(join(cache, 'README'), 'mine\n')
    await prune(cache, KEEP_ENTRIES)
    expect(entries(cache)).toEqual([...names.slice(2), 'README'].sort())
  })

  test('is off with TESTBED_POSTGRES_CLUSTER_CACHE=off, and defaults to the user’s cache dir', async () => {
    expect(clusterCacheDir({ TESTBED_POSTGRES_CLUSTER_CACHE: 'off' })).toBeUndefined()
    expect(clusterCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/testbed/postgres-clusters')
    const started = await startPostgres({
      TESTBED_POSTGRES_PROVIDERS: 'binary',
      TESTBED_POSTGRES_CLUSTER_CACHE: 'off',
    })
    ready(started)
    expect(await stopAndCheck(started)).toEqual([])
  })
})
