import { fileURLToPath } from 'node:url'
import { runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test } from 'vitest'

describe('secrets stay out of the output', { tags: ['tier2'] }, () => {
  test('the Vault root token and the tenant’s private key appear nowhere in the reporter or logs', async () => {
    const run = await runVitest({ fixture: fileURLToPath(new URL('./fixtures/secrets', import.meta.url)) })
    expect(run.status('uses the secrets')).toBe('passed')
    expect(run.status('fails with a Vault error')).toBe('failed')
    const [secrets] = run.starts as unknown as Array<{ token: string; privateKey: string }>
    expect(secrets?.token).toMatch(/^tb-[0-9a-f]{24}$/)
    expect(secrets?.privateKey.length).toBeGreaterThan(100)
    const output = run.stdout + run.stderr
    expect(output).toContain('vault POST transit/decrypt/no-such-key: 400 encryption key not found')
    expect(output).toMatch(/vault\s+embedded .*EMULATED: Testbed's Vault dev-mode emulator/)
    expect(output).not.toContain(secrets?.token)
    expect(output).not.toContain(secrets?.privateKey)
  })
})
