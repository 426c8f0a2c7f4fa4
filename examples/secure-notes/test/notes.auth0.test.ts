// Enterprise: runs in the enterprise pipeline (`vitest --project enterprise`). The service runs in its
// own process and checks tokens against the JWKS that the run's mock tenant serves on loopback.
import type { BadTokens } from '@testbed/auth0'
import { describe, expect, test } from './testbed.ts'

describe('notes behind Auth0', { tags: ['requires_auth0', 'requires_postgres'] }, () => {
  test('a caller with a valid token stores and lists their own notes', async ({ securedNotesApi, auth0 }) => {
    const ada = await auth0.as({ sub: 'auth0|ada' })
    const created = await fetch(`${securedNotesApi.url}/notes`, {
      method: 'POST',
      headers: { ...ada.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'mine', body: '.' }),
    })
    expect(created.status).toBe(201)
    const bob = await auth0.as({ sub: 'auth0|bob' })
    const bobs = (await (
      await fetch(`${securedNotesApi.url}/notes`, { headers: bob.headers })
    ).json()) as unknown[]
    expect(bobs).toEqual([])
  })

  test('no token, or a header that names a user, is not enough', async ({ securedNotesApi }) => {
    expect((await fetch(`${securedNotesApi.url}/notes`)).status).toBe(401)
    expect((await fetch(`${securedNotesApi.url}/notes`, { headers: { 'x-user': 'ada' } })).status).toBe(401)
  })

  for (const kind of [
    'expired',
    'notYetValid',
    'wrongAudience',
    'wrongIssuer',
    'unknownKey',
    'tampered',
    'algNone',
  ] as Array<keyof BadTokens>) {
    test(`a ${kind} token is refused by the service`, async ({ securedNotesApi, auth0 }) => {
      const token = await auth0.badTokens[kind]()
      const response = await fetch(`${securedNotesApi.url}/notes`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(response.status).toBe(401)
    })
  }
})
