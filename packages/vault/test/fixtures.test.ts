import { fileURLToPath } from 'node:url'
import { runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test as vitestTest } from 'vitest'
import { test } from '../src/index.ts'

let previousKey: string | undefined

describe('Vault fixtures', { tags: ['requires_vault', 'tier2'] }, () => {
  test('encrypts data', async ({ vault }) => {
    expect(await vault.encrypt('test-key', 'sensitive data')).toMatch(/^vault:v1:/)
  })

  test('vaultConnection: address, token, transit mount and keys; code under test sees VAULT_ADDR/VAULT_TOKEN', ({
    vaultConnection,
  }) => {
    expect(vaultConnection).toMatchObject({
      mount: 'transit',
      keys: ['test-integration-key', 'test-data-key'],
    })
    expect(process.env.VAULT_ADDR).toBe(vaultConnection.address)
    expect(process.env.VAULT_TOKEN).toBe(vaultConnection.token)
  })

  test('a transit key of the test’s own: rotate, rewrap, decrypt old ciphertext', async ({
    vault,
    transitKey,
  }) => {
    previousKey = transitKey
    const v1 = await vault.encrypt(transitKey, 'card 4242')
    expect(await vault.rotate(transitKey)).toBe(2)
    const v2 = await vault.rewrap(transitKey, v1)
    expect(v2).toMatch(/^vault:v2:/)
    expect(await vault.decrypt(transitKey, v1)).toBe('card 4242')
    expect(await vault.decrypt(transitKey, v2)).toBe('card 4242')
  })

  test('…is deleted afterwards', async ({ vault }) => {
    await expect(vault.readKey(previousKey as string)).rejects.toThrow(/: 404/)
  })

  test('kv-v2 through the typed client', async ({ vault }) => {
    await vault.kvWrite('testbed/fixture', { user: 'ada' })
    expect(await vault.kvRead('testbed/fixture')).toEqual({ user: 'ada' })
  })

  test('node-vault against the same Vault', async ({ nodeVault, vault }) => {
    const ciphertext = await vault.encrypt('test-data-key', 'via fetch')
    const result = await nodeVault.write('transit/decrypt/test-data-key', { ciphertext })
    expect(Buffer.from(result.data.plaintext, 'base64').toString()).toBe('via fetch')
  })
})

vitestTest(
  'a fixture used without the marker fails with advice naming that fixture',
  { tags: ['tier2'] },
  async () => {
    const run = await runVitest({ fixture: fileURLToPath(new URL('./fixtures/unmarked', import.meta.url)) })
    for (const fixture of ['vaultConnection', 'vault', 'transitKey', 'nodeVault']) {
      const name = `uses ${fixture} unmarked`
      expect(run.status(name)).toBe('failed')
      expect(run.tests.find((t) => t.fullName.endsWith(name))?.failureMessages.join('\n')).toContain(
        `'${name}' uses the vault fixture '${fixture}' but is not marked requires_vault. Add { tags: ['requires_vault'] }`,
      )
    }
    expect(run.stderr).not.toContain('vault ready') // nothing was started for tests that may not use it
  },
)
