import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { clusterCacheDir } from '../src/providers/cluster-cache.ts'
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
    const [entry, ...others] = entries(cache)
    expect(others).toEqual([])
    expect(entry).toMatch(/^pg-[0-9a-f]{16}$/)
    expect(readdirSync(join(cache, entry as string)).sort()).toEqual(['complete', 'data', 'password'])
    // Nothing is left but the cache: the servers' temp dirs are gone.
    for (const tmp of tmps) expect(readdirSync(tmp)).toEqual([])

    const later = await run(tmps[0] as string)
    expect(later.code, later.stdout + later.stderr).toBe(0)
    expect(later.stderr).toContain('copying the cached cluster')
    expect(later.stderr).not.toMatch(/postgres \(binary\): initdb/)
    expect(entries(cache)).toEqual([entry])
    expect(readdirSync(tmps[0] as string)).toEqual([])
  })

  test('a partial or corrupt entry is rebuilt, and what a dead run half-built is swept', async () => {
    const cache = scratchDir('cluster-cache')
    const env = { TESTBED_POSTGRES_PROVIDERS: 'binary', TESTBED_POSTGRES_CLUSTER_CACHE: cache }
    const first = await startPostgres(env)
    ready(first)
    expect(await stopAndCheck(first)).toEqual([])
    const [entry] = entries(cache) as [string]
    // Damage it: no marker, no PG_VERSION; and a build of a process that no longer exists.
    rmSync(join(cache, entry, 'complete'))
    rmSync(join(cache, entry, 'data', 'PG_VERSION'))
    mkdirSync(join(cache, `${entry}.tmp-999999999-dead`))

    const second = await startPostgres(env)
    const connection = ready(second)
    expect(connection.port).toBeGreaterThan(0)
    expect(await stopAndCheck(second)).toEqual([])
    expect(entries(cache)).toEqual([entry])
    expect(existsSync(join(cache, entry, 'complete'))).toBe(true)
    expect(existsSync(join(cache, entry, 'data', 'PG_VERSION'))).toBe(true)
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
