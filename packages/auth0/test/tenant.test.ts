import { createServer } from 'node:net'
import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTVerifyGetKey,
  jwtVerify,
  type RemoteJWKSetOptions,
} from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  DEFAULT_ROLES_CLAIM,
  interceptTenant,
  MockTenant,
  serveTenant,
  type TenantServer,
  type TenantState,
} from '../src/tenant/index.ts'

const audience = 'https://notes.testbed.test/api'
const alice = { sub: 'auth0|alice', email: 'alice@testbed.test', email_verified: true, name: 'Alice' }
const m2m = { clientId: 'notes-worker', clientSecret: 'worker-secret', scope: 'read:notes write:notes' }

/** A tenant served on loopback, its issuer the served URL, as an app in another process sees it. */
function serveNewTenant(): Promise<TenantServer> {
  return serveTenant((issuer) => MockTenant.create({ issuer, audience, users: [alice], clients: [m2m] }))
}

/** A tenant served for the tests of the enclosing `describe`, closed after them: `suite.served`. */
function serveForSuite(): { served: TenantServer } {
  const suite = {} as { served: TenantServer }
  beforeAll(async () => {
    suite.served = await serveNewTenant()
  })
  afterAll(() => suite.served?.close())
  return suite
}

/** Verifies as an API would: the JWKS fetched over HTTP from the tenant. */
function verify(tenant: MockTenant, token: string, jwks: JWTVerifyGetKey = remoteJwks(tenant)) {
  return jwtVerify(token, jwks, { issuer: tenant.issuer, audience, algorithms: ['RS256'] })
}

function remoteJwks(tenant: MockTenant, options?: RemoteJWKSetOptions) {
  return createRemoteJWKSet(new URL(tenant.jwksUri), options)
}

/** A remote JWKS that counts its fetches (still real HTTP). */
function countingJwks(tenant: MockTenant, options?: RemoteJWKSetOptions) {
  const counter = { fetches: 0 }
  const jwks = remoteJwks(tenant, {
    ...options,
    [customFetch]: (url, init) => {
      counter.fetches++
      return fetch(url, init)
    },
  })
  return Object.assign(counter, { jwks })
}

function postForm(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers, body: new URLSearchParams(params) })
}

function postJson(url: string, body: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

describe('a mock Auth0 tenant on loopback HTTP', { tags: ['tier2'] }, () => {
  let served: TenantServer
  let tenant: MockTenant
  beforeAll(async () => {
    served = await serveNewTenant()
    tenant = served.tenant
  })
  afterAll(() => served?.close())

  test('is its own issuer, at the served URL', () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(tenant.issuer).toBe(served.url)
    expect(tenant.domain).toBe(new URL(served.url).host)
    expect(tenant.jwksUri).toBe(`${served.url}.well-known/jwks.json`)
  })

  test('publishes its OpenID configuration', async () => {
    const response = await fetch(`${served.url}.well-known/openid-configuration`)
    expect(response.status).toBe(200)
    const configuration = await response.json()
    expect(configuration).toMatchObject({
      issuer: tenant.issuer,
      jwks_uri: tenant.jwksUri,
      token_endpoint: `${served.url}oauth/token`,
      userinfo_endpoint: `${served.url}userinfo`,
      authorization_endpoint: `${served.url}authorize`,
      response_types_supported: expect.arrayContaining(['code']),
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      grant_types_supported: expect.arrayContaining(['client_credentials']),
    })
  })

  test('serves only public keys in its JWKS', async () => {
    const response = await fetch(tenant.jwksUri)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const { keys } = (await response.json()) as { keys: unknown[] }
    expect(keys).toEqual([
      { kty: 'RSA', kid: tenant.kid, alg: 'RS256', use: 'sig', n: expect.any(String), e: 'AQAB' },
    ])
  })

  test('answers HEAD on its GET endpoints as GET, without a body', async () => {
    for (const url of [tenant.jwksUri, tenant.openidConfigurationUri, tenant.userinfoEndpoint]) {
      const [head, get] = await Promise.all([fetch(url, { method: 'HEAD' }), fetch(url)])
      expect([head.status, head.headers.get('content-type')], url).toEqual([
        get.status,
        get.headers.get('content-type'),
      ])
      expect(await head.text()).toBe('')
      expect((await get.text()).length).toBeGreaterThan(0)
    }
  })

  test('answers 404 in JSON where it has no endpoint', async () => {
    const response = await fetch(`${served.url}authorize?client_id=x`)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: 'not_found' })
  })

  test('signs tokens that jose verifies through the served JWKS, with the claims asked for', async () => {
    const token = await tenant.token({
      scope: ['read:notes', 'write:notes'],
      permissions: ['read:notes'],
      roles: ['editor'],
      claims: { 'https://testbed/org': 'acme' },
      expiresIn: '5m',
    })
    const { payload, protectedHeader } = await verify(tenant, token)
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: tenant.kid })
    expect(payload).toMatchObject({
      iss: tenant.issuer,
      sub: alice.sub,
      aud: audience,
      scope: 'read:notes write:notes',
      permissions: ['read:notes'],
      [DEFAULT_ROLES_CLAIM]: ['editor'],
      'https://testbed/org': 'acme',
    })
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeGreaterThanOrEqual(299)
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(301)
  })

  describe('makes tokens that validation must reject', () => {
    // One remote JWKS for all, as an API keeps one: it fetched recently, so an unknown kid is not refetched.
    let jwks: JWTVerifyGetKey
    beforeAll(() => {
      jwks = remoteJwks(tenant)
    })

    test('expired', async () => {
      const error = await verify(tenant, await tenant.badTokens.expired(), jwks).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(errors.JWTExpired)
      expect(error).toMatchObject({ code: 'ERR_JWT_EXPIRED', claim: 'exp' })
    })

    test.each([
      ['notYetValid', 'nbf'],
      ['wrongAudience', 'aud'],
      ['wrongIssuer', 'iss'],
    ] as const)('%s, on claim %s', async (kind, claim) => {
      const error = await verify(tenant, await tenant.badTokens[kind](), jwks).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(errors.JWTClaimValidationFailed)
      expect(error).toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim })
    })

    test('signed by a key not in the JWKS', async () => {
      const token = await tenant.badTokens.unknownKey()
      expect(decodeProtectedHeader(token).kid).not.toBe(tenant.kid)
      const error = await verify(tenant, token, jwks).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(errors.JWKSNoMatchingKey)
      expect(error).toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' })
      // Not for want of a refetch: a JWKS set that refetches on every unknown kid refuses it too.
      const refetching = remoteJwks(tenant, { cooldownDuration: 0 })
      await expect(verify(tenant, token, refetching)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
    })

    test('tampered after signing', async () => {
      const token = await tenant.badTokens.tampered({ scope: 'read:notes' })
      expect(decodeJwt(token)).toMatchObject({ sub: 'auth0|attacker', permissions: ['*'] })
      const error = await verify(tenant, token, jwks).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(errors.JWSSignatureVerificationFailed)
      expect(error).toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' })
    })

    test('unsigned, alg none', async () => {
      const token = await tenant.badTokens.algNone()
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'none' })
      expect(token.endsWith('.')).toBe(true)
      const error = await verify(tenant, token, jwks).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(errors.JOSEAlgNotAllowed)
      expect(error).toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' })
      // Even a verifier that forgets `algorithms` refuses it: jose never accepts 'none' with a key.
      const careless = await jwtVerify(token, jwks).catch((e: unknown) => e)
      expect(careless).toBeInstanceOf(errors.JOSEError)
    })
  })

  describe('client credentials', () => {
    /** A client-credentials request of the m2m client, for the tenant's API. */
    const m2mGrant = {
      grant_type: 'client_credentials',
      client_id: m2m.clientId,
      client_secret: m2m.clientSecret,
      audience,
    }

    test('as a form: a token for the client, with the granted scopes asked for', async () => {
      const response = await postForm(tenant.tokenEndpoint, {
        ...m2mGrant,
        scope: 'read:notes delete:notes',
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('cache-control')).toBe('no-store')
      const body = (await response.json()) as { access_token: string }
      expect(body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 86400,
        scope: 'read:notes',
      })
      const { payload } = await verify(tenant, body.access_token)
      expect(payload).toMatchObject({
        iss: tenant.issuer,
        sub: `${m2m.clientId}@clients`,
        aud: audience,
        azp: m2m.clientId,
        gty: 'client-credentials',
        scope: 'read:notes',
      })
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(86400)
    })

    test('as JSON: every granted scope when none is asked for', async () => {
      const response = await postJson(tenant.tokenEndpoint, m2mGrant)
      expect(response.status).toBe(200)
      const body = (await response.json()) as { access_token: string; scope: string }
      expect(body.scope).toBe(m2m.scope)
      expect((await verify(tenant, body.access_token)).payload.scope).toBe(m2m.scope)
    })

    test('with HTTP Basic client authentication', async () => {
      const basic = Buffer.from(`${m2m.clientId}:${m2m.clientSecret}`).toString('base64')
      const response = await postForm(
        tenant.tokenEndpoint,
        { grant_type: 'client_credentials', audience },
        { authorization: `Basic ${basic}` },
      )
      expect(response.status).toBe(200)
    })

    test('a wrong secret or an unknown client: 401', async () => {
      for (const [clientId, clientSecret] of [
        [m2m.clientId, 'wrong'],
        ['nobody', m2m.clientSecret],
      ] as const) {
        const response = await postForm(tenant.tokenEndpoint, {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          audience,
        })
        expect(response.status).toBe(401)
        expect(await response.json()).toEqual({ error: 'access_denied', error_description: 'Unauthorized' })
      }
    })

    test('an unknown audience: 403', async () => {
      const response = await postJson(tenant.tokenEndpoint, {
        grant_type: 'client_credentials',
        client_id: m2m.clientId,
        client_secret: m2m.clientSecret,
        audience: 'https://elsewhere.test/api',
      })
      expect(response.status).toBe(403)
      expect(await response.json()).toEqual({
        error: 'access_denied',
        error_description: 'Service not enabled within domain: https://elsewhere.test/api',
      })
    })

    test('another grant: 400 unsupported_grant_type', async () => {
      const response = await postForm(tenant.tokenEndpoint, {
        grant_type: 'password',
        username: 'a',
        password: 'b',
      })
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' })
    })
  })

  describe('/userinfo', () => {
    test('returns the profile of a valid token’s user', async () => {
      const response = await fetch(tenant.userinfoEndpoint, {
        headers: { authorization: `Bearer ${await tenant.token({ scope: 'openid profile email' })}` },
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual(alice)
    })

    test('refuses a missing, tampered, expired, foreign or machine token with 401', async () => {
      const machine = await tenant.token({
        sub: `${m2m.clientId}@clients`,
        claims: { gty: 'client-credentials' },
      })
      const tokens = [
        undefined,
        await tenant.badTokens.tampered(),
        await tenant.badTokens.expired(),
        await tenant.badTokens.unknownKey(),
        await tenant.badTokens.algNone(),
        machine,
      ]
      for (const token of tokens) {
        const response = await fetch(tenant.userinfoEndpoint, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        })
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
        expect(await response.json()).toMatchObject({ error: 'invalid_token' })
      }
    })
  })
})

describe('key rotation on a served tenant', { tags: ['tier2'] }, () => {
  const suite = serveForSuite()

  test('old tokens verify until their key is retired; new ones carry the new kid', async () => {
    const { tenant } = suite.served
    // An API that refetches the JWKS on any unknown kid (jose's cooldown set to 0).
    const api = countingJwks(tenant, { cooldownDuration: 0 })
    // An API with jose's defaults: it refetches on an unknown kid only 30 s after its last fetch.
    const defaults = countingJwks(tenant)
    const oldKid = tenant.kid
    const oldToken = await tenant.token()
    await verify(tenant, oldToken, api.jwks)
    await verify(tenant, oldToken, defaults.jwks)
    expect([api.fetches, defaults.fetches]).toEqual([1, 1])

    const rotated = await tenant.rotateKeys()
    expect(rotated.keys.map((key) => key.kid)).toEqual([oldKid, tenant.kid])
    expect(tenant.kid).not.toBe(oldKid)
    const newToken = await tenant.token()
    expect(decodeProtectedHeader(newToken).kid).toBe(tenant.kid)

    // The old token still verifies, from the cache and from a fresh fetch alike.
    await verify(tenant, oldToken, api.jwks)
    await verify(tenant, oldToken, remoteJwks(tenant))
    // The new kid is unknown to both caches: the first set refetches and finds it…
    await verify(tenant, newToken, api.jwks)
    expect(api.fetches).toBe(2)
    await verify(tenant, oldToken, api.jwks)
    // …the second is cooling down, so it does not refetch until told to (or 30 s have passed).
    expect(defaults.jwks.coolingDown).toBe(true)
    await expect(verify(tenant, newToken, defaults.jwks)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
    expect(defaults.fetches).toBe(1)
    await defaults.jwks.reload()
    await verify(tenant, newToken, defaults.jwks)

    const retired = tenant.retireOldKeys()
    expect(retired.keys).toEqual([
      expect.objectContaining({ kid: oldKid, retired: true }),
      expect.not.objectContaining({ retired: true }),
    ])
    expect(tenant.jwks.keys.map((key) => key.kid)).toEqual([tenant.kid])
    // A fresh JWKS set no longer knows the old kid.
    const fresh = remoteJwks(tenant)
    const error = await verify(tenant, oldToken, fresh).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errors.JWKSNoMatchingKey)
    expect(error).toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' })
    await verify(tenant, newToken, fresh)
    // A set that cached the old key keeps trusting it until its cache expires (cacheMaxAge) or it reloads.
    await verify(tenant, oldToken, api.jwks)
    await api.jwks.reload()
    await expect(verify(tenant, oldToken, api.jwks)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
  })
})

describe('a tenant state', { tags: ['tier2'] }, () => {
  const suite = serveForSuite()

  test('survives structuredClone and JSON: a tenant rebuilt from it signs tokens the original serves keys for', async () => {
    const original = suite.served.tenant
    for (const state of [
      structuredClone(original.state),
      JSON.parse(JSON.stringify(original.state)) as TenantState,
    ]) {
      const rebuilt = new MockTenant(state)
      expect(rebuilt.issuer).toBe(original.issuer)
      expect(rebuilt.kid).toBe(original.kid)
      const { payload } = await verify(original, await rebuilt.token({ roles: ['admin'] }))
      expect(payload).toMatchObject({ sub: alice.sub, [DEFAULT_ROLES_CLAIM]: ['admin'] })
    }
  })

  test('carries a rotation made elsewhere back to the served tenant', async () => {
    const original = suite.served.tenant
    const worker = new MockTenant(structuredClone(original.state))
    const next = await worker.rotateKeys()
    const token = await worker.token()
    await expect(verify(original, token)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey)
    original.replaceState(structuredClone(next))
    expect(original.kid).toBe(worker.kid)
    await verify(original, token)
  })

  test('refuses a state for another issuer, or without a usable key', async () => {
    const state = suite.served.tenant.state
    expect(() => suite.served.tenant.replaceState({ ...state, issuer: 'https://other.auth0.com/' })).toThrow(
      /issuer cannot change/,
    )
    expect(
      () => new MockTenant({ ...state, keys: state.keys.map((key) => ({ ...key, retired: true })) }),
    ).toThrow(/no key|not retired/)
  })
})

describe('in-process interception', { tags: ['tier2'] }, () => {
  let tenant: MockTenant
  beforeAll(async () => {
    tenant = await MockTenant.create({ issuer: 'https://testbed.auth0.com', audience, users: [alice] })
  })

  test('answers https://testbed.auth0.com from the mock until closed', async () => {
    expect(tenant.issuer).toBe('https://testbed.auth0.com/')
    expect(tenant.domain).toBe('testbed.auth0.com')
    const realFetch = globalThis.fetch
    const interception = interceptTenant(tenant)
    try {
      expect(globalThis.fetch).not.toBe(realFetch)
      const response = await fetch('https://testbed.auth0.com/.well-known/jwks.json')
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual(tenant.jwks)
      // jose fetches through the interception like any client of this process.
      const { payload } = await verify(tenant, await tenant.token({ scope: 'read:notes' }))
      expect(payload).toMatchObject({ iss: 'https://testbed.auth0.com/', scope: 'read:notes' })
      const userinfo = await fetch('https://testbed.auth0.com/userinfo', {
        headers: { authorization: `Bearer ${await tenant.token()}` },
      })
      expect(await userinfo.json()).toEqual(alice)
    } finally {
      interception.close()
    }
    expect(globalThis.fetch).toBe(realFetch)
  })

  test('lets other requests through, and the network is real again once closed', async () => {
    // A tenant whose issuer is a loopback port nobody listens on: only the interception can answer it.
    const port = await freePort()
    const loopback = await MockTenant.create({ issuer: `http://127.0.0.1:${port}/`, audience })
    await using served = await serveNewTenant()
    {
      using _interception = interceptTenant(loopback, tenant)
      expect((await fetch(loopback.jwksUri)).status).toBe(200)
      // Not a tenant it intercepts: the request reaches the served tenant over real HTTP.
      expect(await (await fetch(served.tenant.jwksUri)).json()).toEqual(served.tenant.jwks)
      expect(() => interceptTenant(loopback)).toThrow(/already active/)
    }
    await expect(fetch(loopback.jwksUri)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
    // Closed, another interception may start.
    interceptTenant(tenant).close()
  })
})

describe('serving a tenant whose issuer is elsewhere', { tags: ['tier2'] }, () => {
  test('answers as its issuer would, at the served URL', async () => {
    const tenant = await MockTenant.create({ issuer: 'https://testbed.auth0.com/', audience })
    await using served = await serveTenant(tenant)
    expect(served.tenant).toBe(tenant)
    const response = await fetch(`${served.url}.well-known/openid-configuration`)
    const configuration = (await response.json()) as { issuer: string }
    expect(configuration.issuer).toBe('https://testbed.auth0.com/')
    const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', served.url))
    await verify(tenant, await tenant.token(), jwks)
  })
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error()),
      )
    })
  })
}
