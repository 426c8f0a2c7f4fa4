import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { test as postgresTest, postgresUrl } from '@testbed/postgres'
import { runVitest } from '@testbed/test-support/run-vitest'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { fixturePath } from './fixture-path.ts'

const fixture = fixturePath('faults-restart')
const failures = (run: Awaited<ReturnType<typeof runVitest>>) =>
  run.tests.flatMap((t) => t.failureMessages).join('\n')

/** Resolves with the error code of a connection to the port (ECONNREFUSED: nothing listens). */
const connectionTo = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })

describe('faults.restart through the hub', { tags: ['tier2'], timeout: 180_000 }, () => {
  test('PostgreSQL from the binary provider: an open connection breaks, a new one works on the same port; the reporter lists it', async () => {
    const summary = join(scratchDir('faults-summary'), 'summary.md')
    const run = await runVitest({
      fixture,
      args: ['-t', '^(restart postgres|a database cloned before the restart works after it)$'],
      env: { TESTBED_POSTGRES_PROVIDERS: 'binary', GITHUB_STEP_SUMMARY: summary },
      timeoutMs: 150_000,
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
  })

  test('Redis and NATS from their binary providers come back on the same endpoint', async () => {
    const run = await runVitest({
      fixture,
      args: ['-t', '^restart (redis|nats)$'],
      env: { TESTBED_REDIS_PROVIDERS: 'binary', TESTBED_NATS_PROVIDERS: 'binary' },
      timeoutMs: 150_000,
    })
    expect(failures(run)).toBe('')
    expect(run.status('restart redis')).toBe('passed')
    expect(run.status('restart nats')).toBe('passed')
    expect(run.stderr).toContain('   ⚡ restart nats — restart nats')
  })

  postgresTest(
    'PostgreSQL from env is refused by name, and keeps working',
    { tags: ['requires_postgres'] },
    async ({ postgresConnection }) => {
      const run = await runVitest({
        fixture,
        args: ['-t', '^restart env postgres$'],
        env: { DATABASE_URL: postgresUrl(postgresConnection) },
        timeoutMs: 150_000,
      })
      expect(failures(run)).toBe('')
      expect(run.status('restart env postgres')).toBe('passed')
      expect(run.stderr).not.toContain(' Faults injected')
    },
  )

  postgresTest(
    'an unknown service, one not running, one with no server process: each refused by name',
    async () => {
      const run = await runVitest({ fixture, args: ['-t', '^restart refusals$'], timeoutMs: 150_000 })
      expect(failures(run)).toBe('')
      expect(run.status('restart refusals')).toBe('passed')
    },
  )
})
