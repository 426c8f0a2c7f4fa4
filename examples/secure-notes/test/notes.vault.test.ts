// Enterprise: runs in the enterprise pipeline (`vitest --project enterprise`).
import { describe, expect, test } from './testbed.ts'

describe('notes encrypted through Vault transit', { tags: ['requires_vault', 'requires_postgres'] }, () => {
  test('stores note bodies as Vault ciphertext and reads them back in plaintext', async ({
    encryptingNotesApi,
    database,
    vaultConnection,
  }) => {
    const headers = { 'x-user': 'ada', 'content-type': 'application/json' }
    await fetch(`${encryptingNotesApi.url}/notes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'secret', body: 'sensitive data' }),
    })
    const { rows } = await database.query('SELECT body FROM notes')
    expect(rows[0].body).toMatch(/^vault:v1:/)
    const listed = (await (await fetch(`${encryptingNotesApi.url}/notes`, { headers })).json()) as Array<{
      body: string
    }>
    expect(listed[0]?.body).toBe('sensitive data')
    expect(vaultConnection.keys).toContain('test-data-key')
  })
})
