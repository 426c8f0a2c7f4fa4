import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test as postgresTest, postgresUrl } from '@testbed/postgres'
import { connectionTo } from '@testbed/test-support/connection-to'
import { runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const fixture = fixturePath('faults-restart')
const failures = (run: Awaited<ReturnType<typeof runVitest>>) =>
  run.tests.flatMap((t) => t.failureMessages).join('\n')

// Each test's own timeout: a describe's would lose to tier2's budget (docs/markers.md).
const NESTED_RUN = { timeout: 300_000 }

describe('faults.restart through the hub', { tags: ['tier2'] }, () => {
  test(
    'PostgreSQL from the binary provider: an open connection breaks, a new one works on the same port; the reporter lists it',
    NESTED_RUN,
    async () => {
      const summary = join(scratchDir('faults-summary'), 'summary.md')
      const run = await runVitest({
        fixture,
        args: ['-t', '^(restart postgres|a database cloned before the restart works after it)$'],
        env: { TESTBED_POSTGRES_PROVIDERS: 'binary', GITHUB_STEP_SUMMARY: summary },
        timeoutMs: 270_000,
      })
      expect(failures(run)).toBe('')
      expect(run.status('restart postgres')).toBe('passed')
      expect(run.status('a database cloned before the restart works after it')).toBe('passed')
      expect(run.stderr).toMatch(/postgres\s+binary/)
      expect(run.stderr).toContain(' Faults injected')
      expect(run.stderr).toContain('   ⚡ restart postgres — restart postgres')
      expect(readFileSync(summary, 'utf8')).toContain(
        '**Faults injected**\n\n- restart postgres: restart postgres\n',
      )
      const port = Number(/RESTARTED on port (\d+)/.exec(run.stdout)?.[1])
      expect(port).toBeGreaterThan(0)
      // The run is over: the restarted server was stopped with it.
      expect(await connectionTo(port)).toBe('ECONNREFUSED')
    },
  )

  test('Redis and NATS from their binary providers come back on the same endpoint', NESTED_RUN, async () => {
    const run = await runVitest({
      fixture,
      args: ['-t', '^restart (redis|nats)$'],
      env: { TESTBED_REDIS_PROVIDERS: 'binary', TESTBED_NATS_PROVIDERS: 'binary' },
      timeoutMs: 270_000,
    })
    expect(failures(run)).toBe('')
    expect(run.status('restart redis')).toBe('passed')
    expect(run.status('restart nats')).toBe('passed')
    expect(run.stderr).toContain('   ⚡ restart nats — restart nats')
  })

  test('PostgreSQL, Redis and NATS in containers come back on the same endpoint, with what they keep on disk', {
    tags: ['requires_docker'],
    timeout: 600_000,
  }, async () => {
    // No registry here: .ci/images/*.sh build these images locally from the machine's servers.
    const images = {
      TESTBED_POSTGRES_IMAGE: process.env.TESTBED_POSTGRES_IMAGE ?? 'testbed/postgres:15',
      TESTBED_REDIS_IMAGE: process.env.TESTBED_REDIS_IMAGE ?? 'testbed/redis:7',
      TESTBED_NATS_IMAGE: process.env.TESTBED_NATS_IMAGE ?? 'testbed/nats:2.9',
    }
    const run = await runVitest({
      fixture,
      args: [
        '-t',
        '^(restart postgres|a database cloned before the restart works after it|restart redis|restart nats)$',
      ],
      env: {
        ...images,
        TESTBED_POSTGRES_PROVIDERS: 'container',
        TESTBED_REDIS_PROVIDERS: 'container',
        TESTBED_NATS_PROVIDERS: 'container',
        DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      },
      timeoutMs: 570_000,
    })
    expect(failures(run)).toBe('')
    for (const name of [
      'restart postgres',
      'a database cloned before the restart works after it',
      'restart redis',
      'restart nats',
    ])
      expect(run.status(name)).toBe('passed')
    expect(run.stderr).toMatch(/postgres\s+container/)
    expect(run.stderr).toMatch(/redis\s+container/)
    expect(run.stderr).toMatch(/nats\s+container/)
    const port = Number(/RESTARTED on port (\d+)/.exec(run.stdout)?.[1])
    expect(port).toBeGreaterThan(0)
    // The run is over: its containers were removed with it.
    expect(await connectionTo(port)).toBe('ECONNREFUSED')
  })

  postgresTest(
    'PostgreSQL from env is refused by name, and keeps working',
    { tags: ['requires_postgres'], ...NESTED_RUN },
    async ({ postgresConnection }) => {
      const run = await runVitest({
        fixture,
        args: ['-t', '^restart env postgres$'],
        env: { DATABASE_URL: postgresUrl(postgresConnection) },
        timeoutMs: 270_000,
      })
      expect(failures(run)).toBe('')
      expect(run.status('restart env postgres')).toBe('passed')
      expect(run.stderr).not.toContain(' Faults injected')
    },
  )

  postgresTest(
    'an unknown service, one not running, one with no server process: each refused by name',
    NESTED_RUN,
    async () => {
      const run = await runVitest({ fixture, args: ['-t', '^restart refusals$'], timeoutMs: 150_000 })
      expect(failures(run)).toBe('')
      expect(run.status('restart refusals')).toBe('passed')
    },
  )
})
