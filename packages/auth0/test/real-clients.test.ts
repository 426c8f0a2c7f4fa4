// The mock tenant driven by real third-party clients over loopback HTTP, as an app under test meets it:
// Auth0's Express middleware (express-oauth2-jwt-bearer), openid-client and jwks-rsa.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type ErrorRequestHandler } from 'express'
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer'
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose'
import jwksClient from 'jwks-rsa'
import * as oidc from 'openid-client'
import { describe, expect } from 'vitest'
import { type BadTokens, test } from '../src/index.ts'

type AuthOptions = NonNullable<Parameters<typeof auth>[0]>

/** An Express API protected by Auth0's middleware, on a free loopback port: Auth0's quickstart, as is. */
async function startApi(options: AuthOptions) {
  const app = express()
  app.use(auth(options))
  app.get('/me', (req, res) => {
    res.json(req.auth?.payload)
  })
  app.get('/notes', requiredScopes('read:notes'), (_req, res) => {
    res.json([])
  })
  // The middleware's errors carry their status and WWW-Authenticate header; answer them as JSON.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res
      .status(error.status ?? 500)
      .set(error.headers ?? {})
      .json({ error: error.code, message: error.message })
  }
  app.use(onError)
  const server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get: (path: string, token?: string) =>
      fetch(
        `http://127.0.0.1:${port}${path}`,
        token ? { headers: { authorization: `Bearer ${token}` } } : {},
      ),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

const apiTest = test.extend('api', async ({ auth0 }, { onCleanup }) => {
  // What the app reads in production, from the variables the plugin exports to code under test.
  const api = await startApi({
    issuerBaseURL: process.env.AUTH0_ISSUER_BASE_URL,
    audience: process.env.AUTH0_AUDIENCE,
  })
  onCleanup(() => api.close())
  expect(process.env.AUTH0_AUDIENCE).toBe(auth0.audience)
  return api
})

describe('express-oauth2-jwt-bearer in a real HTTP server', { tags: ['requires_auth0', 'tier2'] }, () => {
  apiTest('accepts a tenant token: 200, with its claims on req.auth', async ({ api, auth0 }) => {
    const token = await auth0.token({ sub: 'auth0|ada', permissions: ['read:notes'] })
    const response = await api.get('/me', token)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      iss: auth0.issuer,
      aud: auth0.audience,
      sub: 'auth0|ada',
      permissions: ['read:notes'],
    })
  })

  const refusals: Array<[keyof BadTokens, string]> = [
    ['expired', '"exp" claim timestamp check failed'],
    ['notYetValid', '"nbf" claim timestamp check failed'],
    ['wrongAudience', "Unexpected 'aud' value"],
    ['wrongIssuer', "Unexpected 'iss' value"],
    ['unknownKey', 'no applicable key found in the JSON Web Key Set'],
    ['tampered', 'signature verification failed'],
    ['algNone', 'Unsupported algorithm "none"'],
  ]
  for (const [kind, message] of refusals) {
    apiTest(`refuses the ${kind} bad token: 401 invalid_token, “${message}”`, async ({ api, auth0 }) => {
      const response = await api.get('/me', await auth0.badTokens[kind]())
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="api", error="invalid_token", error_description=".+"$/,
      )
      const body = (await response.json()) as { error: string; message: string }
      expect(body.error).toBe('invalid_token')
      expect(body.message).toContain(message)
      expect(response.headers.get('www-authenticate')).toContain(message.replaceAll('"', "'"))
    })
  }

  apiTest('asks for a token when none is sent: 401 with a bare challenge', async ({ api }) => {
    const response = await api.get('/me')
    expect(response.status).toBe(401)
    const challenge = response.headers.get('www-authenticate')
    expect(challenge).toMatch(/^Bearer realm="api"(,|$)/)
    expect(challenge).not.toContain('error=')
  })

  apiTest('requiredScopes: 403 insufficient_scope without the scope, 200 with it', async ({ api, auth0 }) => {
    const without = await api.get('/notes', await auth0.token({ scope: 'write:notes' }))
    expect(without.status).toBe(403)
    expect(without.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    expect((await api.get('/notes', await auth0.token({ scope: 'read:notes write:notes' }))).status).toBe(200)
  })

  test('the issuer given with or without its trailing slash, or issuer and jwksUri without discovery', async ({
    auth0,
  }) => {
    const token = await auth0.token()
    for (const options of [
      { issuerBaseURL: auth0.issuer },
      { issuerBaseURL: auth0.issuer.replace(/\/$/, '') },
      { issuer: auth0.issuer, jwksUri: auth0.jwksUri },
    ]) {
      const api = await startApi({ ...options, audience: auth0.audience })
      try {
        expect((await api.get('/me', token)).status, JSON.stringify(options)).toBe(200)
      } finally {
        await api.close()
      }
    }
    // `iss` is compared as a string: an issuer configured without Auth0's trailing slash refuses every token.
    const api = await startApi({
      issuer: auth0.issuer.replace(/\/$/, ''),
      jwksUri: auth0.jwksUri,
      audience: auth0.audience,
    })
    try {
      const response = await api.get('/me', token)
      expect(response.status).toBe(401)
      expect(((await response.json()) as { message: string }).message).toBe("Unexpected 'iss' value")
    } finally {
      await api.close()
    }
  })

  test('a client-credentials token from the tenant’s /oauth/token is accepted, with its scopes', async ({
    auth0,
  }) => {
    const issued = await fetch(auth0.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: auth0.client.clientId,
        client_secret: auth0.client.clientSecret,
        audience: auth0.audience,
        scope: 'read:notes',
      }),
    })
    const { access_token } = (await issued.json()) as { access_token: string }
    const api = await startApi({ issuerBaseURL: auth0.issuer, audience: auth0.audience })
    try {
      expect((await api.get('/notes', access_token)).status).toBe(200)
    } finally {
      await api.close()
    }
  })
})

/** openid-client refuses plain HTTP unless told: the served tenant is on http://127.0.0.1. */
const insecure = { execute: [oidc.allowInsecureRequests] }

const oidcTest = test.extend('oidcConfig', async ({ auth0 }) =>
  oidc.discovery(
    new URL(auth0.issuer),
    auth0.client.clientId,
    auth0.client.clientSecret,
    undefined,
    insecure,
  ),
)

describe('openid-client against the served tenant', { tags: ['requires_auth0', 'tier2'] }, () => {
  oidcTest('discovery: the tenant’s metadata, its issuer the served URL', ({ oidcConfig, auth0 }) => {
    expect(oidcConfig.serverMetadata()).toMatchObject({
      issuer: auth0.issuer,
      jwks_uri: auth0.jwksUri,
      token_endpoint: auth0.tokenEndpoint,
      userinfo_endpoint: `${auth0.issuer}userinfo`,
      grant_types_supported: ['client_credentials'],
    })
  })

  test('discovery from AUTH0_ISSUER_BASE_URL (no trailing slash), and its refusal of HTTP unless allowed', async ({
    auth0,
  }) => {
    const base = new URL(process.env.AUTH0_ISSUER_BASE_URL as string)
    const config = await oidc.discovery(
      base,
      auth0.client.clientId,
      auth0.client.clientSecret,
      undefined,
      insecure,
    )
    expect(config.serverMetadata().issuer).toBe(auth0.issuer)
    await expect(oidc.discovery(base, auth0.client.clientId)).rejects.toMatchObject({
      code: 'OAUTH_HTTP_REQUEST_FORBIDDEN',
    })
  })

  for (const [method, clientAuth] of [
    ['client_secret_post', oidc.ClientSecretPost],
    ['client_secret_basic', oidc.ClientSecretBasic],
  ] as const) {
    test(`clientCredentialsGrant (${method}): a token that Auth0’s middleware accepts`, async ({ auth0 }) => {
      const config = await oidc.discovery(
        new URL(auth0.issuer),
        auth0.client.clientId,
        undefined,
        clientAuth(auth0.client.clientSecret),
        insecure,
      )
      const tokens = await oidc.clientCredentialsGrant(config, {
        audience: auth0.audience,
        scope: 'read:notes',
      })
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'read:notes' })
      expect(tokens.expiresIn()).toBeGreaterThan(3600)
      expect(decodeJwt(tokens.access_token)).toMatchObject({
        iss: auth0.issuer,
        aud: auth0.audience,
        sub: `${auth0.client.clientId}@clients`,
        azp: auth0.client.clientId,
        gty: 'client-credentials',
      })
      const api = await startApi({ issuerBaseURL: auth0.issuer, audience: auth0.audience })
      try {
        expect((await api.get('/notes', tokens.access_token)).status).toBe(200)
      } finally {
        await api.close()
      }
    })
  }

  test('a wrong secret is refused 401 access_denied, an unknown audience 403', async ({ auth0 }) => {
    const wrong = await oidc.discovery(
      new URL(auth0.issuer),
      auth0.client.clientId,
      'not-the-secret',
      undefined,
      insecure,
    )
    await expect(oidc.clientCredentialsGrant(wrong, { audience: auth0.audience })).rejects.toMatchObject({
      name: 'ResponseBodyError',
      status: 401,
      error: 'access_denied',
    })
    const right = await oidc.discovery(
      new URL(auth0.issuer),
      auth0.client.clientId,
      auth0.client.clientSecret,
      undefined,
      insecure,
    )
    await expect(
      oidc.clientCredentialsGrant(right, { audience: 'https://other.testbed.test/' }),
    ).rejects.toMatchObject({
      status: 403,
      error: 'access_denied',
      error_description: 'Service not enabled within domain: https://other.testbed.test/',
    })
  })

  oidcTest(
    'fetchUserInfo: a user’s profile for their token; a machine token is refused with a challenge',
    async ({ oidcConfig, auth0 }) => {
      const user = await auth0.as()
      const profile = await oidc.fetchUserInfo(oidcConfig, user.token, user.sub)
      expect(profile).toMatchObject({ sub: user.sub, email: 'user@testbed.test', email_verified: true })
      // openid-client checks the profile is the expected subject's.
      await expect(oidc.fetchUserInfo(oidcConfig, user.token, 'auth0|someone-else')).rejects.toMatchObject({
        code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
        cause: { cause: { attribute: 'sub', expected: 'auth0|someone-else' } },
      })

      const machine = await oidc.clientCredentialsGrant(oidcConfig, { audience: auth0.audience })
      const refused = await oidc
        .fetchUserInfo(oidcConfig, machine.access_token, oidc.skipSubjectCheck)
        .catch((e) => e)
      expect(refused).toBeInstanceOf(oidc.WWWAuthenticateChallengeError)
      expect(refused.status).toBe(401)
      expect(refused.cause).toEqual([
        {
          scheme: 'bearer',
          parameters: { error: 'invalid_token', error_description: 'A client-credentials token has no user' },
        },
      ])
    },
  )

  oidcTest('what the tenant does not implement answers by name', async ({ oidcConfig }) => {
    // Grants other than client credentials: Auth0's unsupported_grant_type, naming the grant.
    await expect(oidc.refreshTokenGrant(oidcConfig, 'a-refresh-token')).rejects.toMatchObject({
      status: 400,
      error: 'unsupported_grant_type',
      error_description: 'Unsupported grant type: refresh_token',
    })
    await expect(
      oidc.authorizationCodeGrant(oidcConfig, new URL('http://127.0.0.1/callback?code=a-code'), {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
      }),
    ).rejects.toMatchObject({
      error: 'unsupported_grant_type',
      error_description: 'Unsupported grant type: authorization_code',
    })
    // /authorize is advertised (OpenID Connect requires it) but not served: a JSON 404 that names it.
    const authorize = oidc.buildAuthorizationUrl(oidcConfig, {
      redirect_uri: 'http://127.0.0.1/callback',
      scope: 'openid',
    })
    const response = await fetch(authorize)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({
      error: 'not_found',
      error_description: expect.stringMatching(/^The mock tenant has no handler for GET \/authorize\?/),
    })
    // Endpoints it does not advertise are refused by openid-client before any request.
    await expect(oidc.tokenRevocation(oidcConfig, 'a-token')).rejects.toMatchObject({
      code: 'OAUTH_MISSING_SERVER_METADATA',
    })
    await expect(oidc.tokenIntrospection(oidcConfig, 'a-token')).rejects.toMatchObject({
      code: 'OAUTH_MISSING_SERVER_METADATA',
    })
  })
})

describe('jwks-rsa against the served JWKS', { tags: ['requires_auth0', 'tier2'] }, () => {
  test('fetches the signing key by kid; its public key verifies the tenant’s token', async ({ auth0 }) => {
    const client = jwksClient({ jwksUri: auth0.jwksUri })
    const token = await auth0.token({ sub: 'auth0|ada' })
    const { kid } = decodeProtectedHeader(token)
    const key = await client.getSigningKey(kid)
    expect(key).toMatchObject({ kid, alg: 'RS256' })
    const { payload } = await jwtVerify(token, await importSPKI(key.getPublicKey(), 'RS256'), {
      issuer: auth0.issuer,
      audience: auth0.audience,
    })
    expect(payload.sub).toBe('auth0|ada')
    expect((await client.getSigningKeys()).map((k) => k.kid)).toEqual([kid])
  })

  test('a kid the JWKS does not hold: SigningKeyNotFoundError', async ({ auth0 }) => {
    const { kid } = decodeProtectedHeader(await auth0.badTokens.unknownKey())
    const client = jwksClient({ jwksUri: auth0.jwksUri })
    await expect(client.getSigningKey(kid)).rejects.toMatchObject({
      name: 'SigningKeyNotFoundError',
      message: `Unable to find a signing key that matches '${kid}'`,
    })
  })

  test('key rotation: both kids found after rotateKeys, the old one gone after retireOldKeys', async ({
    auth0PrivateTenant: { tenant },
  }) => {
    const cached = jwksClient({ jwksUri: tenant.jwksUri })
    const oldKid = tenant.kid
    expect((await cached.getSigningKey(oldKid)).kid).toBe(oldKid)

    await tenant.rotateKeys()
    const newKid = decodeProtectedHeader(await tenant.token()).kid as string
    expect(newKid).toBe(tenant.kid)
    expect(newKid).not.toBe(oldKid)
    // An unknown kid makes the client refetch the JWKS: the new key is found, the old one still is.
    expect((await cached.getSigningKey(newKid)).kid).toBe(newKid)
    expect((await cached.getSigningKeys()).map((k) => k.kid)).toEqual([oldKid, newKid])

    tenant.retireOldKeys()
    const uncached = jwksClient({ jwksUri: tenant.jwksUri, cache: false })
    await expect(uncached.getSigningKey(oldKid)).rejects.toMatchObject({ name: 'SigningKeyNotFoundError' })
    expect((await uncached.getSigningKey(newKid)).kid).toBe(newKid)
    // A caching client keeps a key it has seen until its cacheMaxAge (10 minutes by default).
    expect((await cached.getSigningKey(oldKid)).kid).toBe(oldKid)
  })
})
