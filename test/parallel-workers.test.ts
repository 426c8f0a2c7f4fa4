import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { composeFixtures } from '@testbed/core'
import { natsEnv, natsFixtures } from '@testbed/nats'
import { postgresFixtures, postgresUrl } from '@testbed/postgres'
import { redisFixtures } from '@testbed/redis'
import { s3Env, s3Fixtures } from '@testbed/s3'
import { runVitest } from '@testbed/test-support/run-vitest'
import { afterEach, describe, expect, test as vitestTest } from 'vitest'

const test = composeFixtures(vitestTest, postgresFixtures, redisFixtures, natsFixtures, s3Fixtures)
const fixture = fileURLToPath(new URL('./fixtures/parallel-workers/', import.meta.url))

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('isolation under two parallel workers', {
  tags: ['requires_postgres', 'requires_redis', 'requires_nats', 'requires_s3', 'tier3'],
}, () => {
  test("the plugins' isolation suites, in two workers that meet before every round", async ({
    postgresConnection,
    redisConnection,
    natsConnection,
    s3Connection,
  }) => {
    const barrier = mkdtempSync(join(tmpdir(), 'testbed-isolation-barrier-'))
    dirs.push(barrier)
    // The nested run finds this run's servers through its `env` providers, and makes its own
    // databases, key prefixes, streams and buckets on them.
    const run = await runVitest({
      fixture,
      timeoutMs: 180_000,
      env: {
        TESTBED_ISOLATION_BARRIER: barrier,
        DATABASE_URL: postgresUrl(postgresConnection),
        REDIS_URL: redisConnection.url,
        ...natsEnv(natsConnection),
        ...s3Env(s3Connection),
      },
    })
    expect(
      run.tests.filter((t) => t.status !== 'passed').map((t) => [t.fullName, t.failureMessages]),
    ).toEqual([])
    expect(run.tests).toHaveLength(2 * 4 * 3)
    expect(run.code).toBe(0)
    // Every round of every plugin: both workers arrived, each from its own process.
    const arrivals = readdirSync(barrier).sort()
    expect(arrivals).toEqual(
      ['nats', 'postgres', 'redis', 's3'].flatMap((p) =>
        [1, 2, 3].flatMap((r) => [`${p}-${r}-a`, `${p}-${r}-b`]),
      ),
    )
    const pid = (name: string) => readFileSync(join(barrier, name), 'utf8')
    expect(pid('s3-3-a')).not.toBe(pid('s3-3-b'))
  })
})
