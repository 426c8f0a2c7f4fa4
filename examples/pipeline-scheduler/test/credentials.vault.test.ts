// Enterprise: runs in the enterprise pipeline (`vitest --project enterprise`), against Vault's
// emulator when no real Vault is configured.
import { VaultClient } from '@testbed/vault'
import { describe, expect, test } from './testbed.ts'

describe('credentials encrypted through Vault transit', {
  tags: ['requires_vault', 'requires_postgres'],
}, () => {
  test('stores Vault ciphertext, which Vault decrypts, and a pipeline run reads them back', async ({
    vaultScheduler,
    database,
    vaultConnection,
    transitKey,
  }) => {
    const { admin } = vaultScheduler
    await vaultScheduler.setClock('2026-06-01T01:30:00Z')
    const { api_key } = await admin.post<{ api_key: string }>('/api/v1/customers/onboard', {
      name: 'acme_corp',
      plan: 'PROFESSIONAL',
    })
    const acme = admin.as(api_key)
    const credentials = { access_key_id: 'AKIAACME', secret_access_key: 'acme-aws-secret' }
    expect(await acme.post('/api/v1/customers/credentials', { provider: 'AWS', credentials })).toMatchObject({
      cipher: 'vault-transit',
    })
    const { rows } = await database.query('SELECT ciphertext FROM provider_credentials')
    expect(rows[0].ciphertext).toMatch(/^vault:v1:/)
    expect(
      JSON.parse(await new VaultClient(vaultConnection).decrypt(transitKey, rows[0].ciphertext)),
    ).toEqual(credentials)
    await acme.post('/api/v1/customers/pipelines/configure', {
      provider: 'AWS',
      domain: 'COST',
      template_name: 'aws_cost_analysis',
      schedule: '0 2 * * *',
    })
    await vaultScheduler.setClock('2026-06-01T02:00:00Z')
    await admin.post('/api/v1/scheduler/trigger')
    await admin.post('/api/v1/scheduler/process', { limit: 1, wait: true })
    const results = await database.query(
      "SELECT summary->>'credentials' AS credentials FROM pipeline_results",
    )
    expect(results.rows).toEqual([{ credentials: 'decrypted' }])
  })
})
