import { ADMIN_KEY } from './app-process.ts'
import { runCli } from './cli-process.ts'
import { describe, expect, test } from './testbed.ts'

describe('scheduler CLI', { tags: ['requires_postgres', 'tier2'] }, () => {
  test('onboards, configures and reads back through the same API', async ({ scheduler }) => {
    const onboarded = await runCli(scheduler.url, ADMIN_KEY, ['onboard', '--name', 'acme', '--plan', 'SCALE'])
    expect(onboarded.code).toBe(0)
    const { api_key } = onboarded.json<{ api_key: string }>()
    const configured = await runCli(scheduler.url, api_key, [
      'pipelines',
      'configure',
      '--provider',
      'GCP',
      '--domain',
      'COST',
      '--template',
      'billing',
      '--schedule',
      '0 2 * * *',
      '--params',
      '{"dataset":"billing_export"}',
    ])
    expect(configured.code).toBe(0)
    expect(configured.json()).toMatchObject({
      provider: 'GCP',
      default_parameters: { dataset: 'billing_export' },
    })
    const listed = await runCli(scheduler.url, api_key, ['pipelines', 'list'])
    expect(listed.json<unknown[]>()).toHaveLength(1)
  })

  test('exits 1 with the API error, 2 with the usage, and prints nothing on stdout then', async ({
    scheduler,
  }) => {
    const refused = await runCli(scheduler.url, 'not-a-key', ['pipelines', 'list'])
    expect(refused).toMatchObject({ code: 1, stdout: '' })
    expect(refused.stderr).toContain('scheduler: unknown API key (HTTP 401)')
    const unknown = await runCli(scheduler.url, ADMIN_KEY, ['launch'])
    expect(unknown).toMatchObject({ code: 2, stdout: '' })
    expect(unknown.stderr).toContain("scheduler: unknown command 'launch'")
    expect(unknown.stderr).toContain('usage: scheduler <command>')
    const missing = await runCli(scheduler.url, ADMIN_KEY, ['onboard', '--name', 'acme'])
    expect(missing.stderr).toContain('scheduler: --plan is required')
    const badNumber = await runCli(scheduler.url, ADMIN_KEY, [
      'quota',
      'set',
      '--customer',
      'a',
      '--daily',
      'x',
    ])
    expect(badNumber.stderr).toContain('scheduler: --daily must be a non-negative integer')
    const badJson = await runCli(scheduler.url, ADMIN_KEY, [
      'credentials',
      'add',
      '--provider',
      'GCP',
      '--json',
      '{',
    ])
    expect(badJson.stderr).toContain('scheduler: --json must be JSON')
    const help = await runCli(scheduler.url, ADMIN_KEY, ['--help'])
    expect(help).toMatchObject({ code: 0, stderr: '' })
    expect(help.stdout).toContain('usage: scheduler <command>')
    const noUrl = await runCli('', ADMIN_KEY, ['trigger'])
    expect(noUrl).toMatchObject({ code: 2 })
    expect(noUrl.stderr).toContain('--url or SCHEDULER_URL is required')
  })

  test('says so when the service cannot be reached', async ({ scheduler }) => {
    await scheduler.stop()
    const result = await runCli(scheduler.url, ADMIN_KEY, ['queue-status'])
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toContain('scheduler: fetch failed')
  })
})
