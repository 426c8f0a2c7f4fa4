// Enterprise tests: they run in the enterprise pipeline (`vitest --project enterprise`) and are
// skipped, with the reason, until this repository provides Vault and Auth0.
import { describe, expect, test } from './testbed.ts'

describe('notes with Vault transit encryption', { tags: ['requires_vault', 'requires_postgres'] }, () => {
  test('stores note bodies as Vault ciphertext and reads them back in plaintext', async ({
    notesApi,
    database,
  }) => {
    await fetch(`${notesApi.url}/notes`, {
      method: 'POST',
      headers: { 'x-user': 'ada', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'secret', body: 'sensitive data' }),
    })
    const { rows } = await database.query('SELECT body FROM notes')
    expect(rows[0].body).toMatch(/^vault:v1:/)
    const listed = (await (
      await fetch(`${notesApi.url}/notes`, { headers: { 'x-user': 'ada' } })
    ).json()) as Array<{ body: string }>
    expect(listed[0]?.body).toBe('sensitive data')
  })
})

describe('notes behind Auth0', { tags: ['requires_auth0', 'requires_postgres'] }, () => {
  test('rejects a request whose bearer token is not a valid Auth0 JWT', async ({ notesApi }) => {
    const response = await fetch(`${notesApi.url}/notes`, { headers: { authorization: 'Bearer not-a-jwt' } })
    expect(response.status).toBe(401)
  })
})
