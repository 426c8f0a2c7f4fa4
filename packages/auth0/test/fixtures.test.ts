import { fileURLToPath } from 'node:url'
import { runVitest } from '@testbed/test-support/run-vitest'
import { createRemoteJWKSet, errors, jwtVerify } from 'jose'
import { describe, expect, test as vitestTest } from 'vitest'
import { type BadTokens, test } from '../src/index.ts'

describe('Auth0 fixtures', { tags: ['requires_auth0', 'tier2'] }, () => {
  test('tokens signed in this worker verify against the JWKS the main process serves', async ({ auth0 }) => {
    const token = await auth0.token({
      sub: 'auth0|ada',
      scope: 'read:notes',
      permissions: ['read:notes'],
      roles: ['admin'],
    })
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(auth0.jwksUri)), {
      issuer: auth0.issuer,
      audience: auth0.audience,
      algorithms: ['RS256'],
    })
    expect(protectedHeader.alg).toBe('RS256')
    expect(payload).toMatchObject({
      sub: 'auth0|ada',
      scope: 'read:notes',
      permissions: ['read:notes'],
      'https://testbed/roles': ['admin'],
    })
  })

  test('code under test sees AUTH0_DOMAIN, AUTH0_AUDIENCE, AUTH0_ISSUER_BASE_URL', ({ auth0 }) => {
    expect(process.env.AUTH0_DOMAIN).toBe(auth0.domain)
    expect(process.env.AUTH0_AUDIENCE).toBe(auth0.audience)
    expect(`${process.env.AUTH0_ISSUER_BASE_URL}/`).toBe(auth0.issuer)
  })

  const rejections: Array<[keyof BadTokens, string]> = [
    ['expired', 'ERR_JWT_EXPIRED'],
    ['notYetValid', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['wrongAudience', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['wrongIssuer', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['unknownKey', 'ERR_JWKS_NO_MATCHING_KEY'],
    ['tampered', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ['algNone', 'ERR_JOSE_ALG_NOT_ALLOWED'],
  ]
  for (const [kind, code] of rejections) {
    test(`a ${kind} token is rejected by a real validation path (${code})`, async ({ auth0 }) => {
      const token = await auth0.badTokens[kind]()
      const verifying = jwtVerify(token, createRemoteJWKSet(new URL(auth0.jwksUri)), {
        issuer: auth0.issuer,
        audience: auth0.audience,
        algorithms: ['RS256'],
      })
      await expect(verifying).rejects.toBeInstanceOf(errors.JOSEError)
      await expect(verifying).rejects.toMatchObject({ code })
    })
  }

  test('key rotation on a private tenant: old and new kid both verify until the old one retires', async ({
    auth0PrivateTenant,
  }) => {
    const { tenant } = auth0PrivateTenant
    const jwks = createRemoteJWKSet(new URL(tenant.jwksUri), { cooldownDuration: 0 })
    const verify = (token: string) =>
      jwtVerify(token, jwks, { issuer: tenant.issuer, audience: tenant.audience })
    const before = await tenant.token()
    await verify(before)
    await tenant.rotateKeys()
    const after = await tenant.token()
    expect((await verify(after)).protectedHeader.kid).not.toBe((await verify(before)).protectedHeader.kid)
    tenant.retireOldKeys()
    const fresh = createRemoteJWKSet(new URL(tenant.jwksUri))
    await expect(
      jwtVerify(before, fresh, { issuer: tenant.issuer, audience: tenant.audience }),
    ).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    })
  })

  test('in-process: fetches to https://testbed.auth0.com are answered by the mock', async ({
    auth0Intercepted,
  }) => {
    const jwks = (await (await fetch('https://testbed.auth0.com/.well-known/jwks.json')).json()) as {
      keys: Array<{ kid: string }>
    }
    expect(jwks.keys.map((k) => k.kid)).toEqual([auth0Intercepted.kid])
    const token = await auth0Intercepted.token()
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(auth0Intercepted.jwksUri)), {
      issuer: 'https://testbed.auth0.com/',
      audience: auth0Intercepted.audience,
    })
    expect(payload.iss).toBe('https://testbed.auth0.com/')
  })

  test('a user context carries its bearer header', async ({ auth0 }) => {
    const user = await auth0.as({ sub: 'auth0|bob' })
    expect(user.sub).toBe('auth0|bob')
    expect(user.headers.authorization).toBe(`Bearer ${user.token}`)
  })

  test('malformed token options are refused with jose’s words', async ({ auth0 }) => {
    await expect(auth0.token({ expiresIn: 'next tuesday' })).rejects.toThrow('Invalid time period format')
  })
})

vitestTest(
  'a fixture used without the marker fails with advice naming that fixture',
  { tags: ['tier2'] },
  async () => {
    const run = await runVitest({ fixture: fileURLToPath(new URL('./fixtures/unmarked', import.meta.url)) })
    for (const fixture of ['auth0', 'auth0Connection', 'auth0PrivateTenant', 'auth0Intercepted']) {
      const name = `uses ${fixture} unmarked`
      expect(run.status(name)).toBe('failed')
      expect(run.tests.find((t) => t.fullName.endsWith(name))?.failureMessages.join('\n')).toContain(
        `'${name}' uses the auth0 fixture '${fixture}' but is not marked requires_auth0. Add { tags: ['requires_auth0'] }`,
      )
    }
    expect(run.stderr).not.toContain('auth0 ready') // nothing was started for tests that may not use it
  },
)
