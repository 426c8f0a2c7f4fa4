import { ready, startService, stopAndCheck } from '@testbed/test-support/start-service'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { describe, expect, test } from 'vitest'
import { MOCK_TENANT } from '../src/providers/embedded.ts'
import { auth0 } from '../src/service.ts'

describe('the auth0 service', { tags: ['tier2'] }, () => {
  test('serves a mock tenant on loopback, says it is a mock, and closes it at the end', async () => {
    const started = await startService(auth0({ audience: 'https://notes.example/' }), {}, /^AUTH0_/)
    const c = ready(started)
    expect(started.status.state === 'ready' && [started.status.emulated, started.status.endpoint]).toEqual([
      MOCK_TENANT,
      c.issuer,
    ])
    expect(c.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(started.status.state === 'ready' && started.status.env).toEqual({
      AUTH0_DOMAIN: c.domain,
      AUTH0_AUDIENCE: 'https://notes.example/',
      AUTH0_ISSUER_BASE_URL: c.issuer.slice(0, -1),
    })
    // The client-credentials flow, end to end over HTTP, and the token verifies against the JWKS.
    const [client] = c.state.clients
    const response = await fetch(c.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client?.clientId as string,
        client_secret: client?.clientSecret as string,
        audience: 'https://notes.example/',
      }),
    })
    const { access_token } = (await response.json()) as { access_token: string }
    const { payload } = await jwtVerify(access_token, createRemoteJWKSet(new URL(c.jwksUri)), {
      issuer: c.issuer,
      audience: 'https://notes.example/',
      algorithms: ['RS256'],
    })
    expect(payload.gty).toBe('client-credentials')
    expect(await stopAndCheck(started)).toEqual([])
    await expect(fetch(c.jwksUri)).rejects.toThrow('fetch failed')
  })

  test('exports the variables under the names you choose', async () => {
    const started = await startService(
      auth0({ env: { domain: 'OIDC_DOMAIN', issuerBaseUrl: 'ISSUER_BASE_URL' } }),
      {},
      /^AUTH0_/,
    )
    expect(Object.keys(started.status.state === 'ready' ? started.status.env : {}).sort()).toEqual([
      'AUTH0_AUDIENCE',
      'ISSUER_BASE_URL',
      'OIDC_DOMAIN',
    ])
  })
})
