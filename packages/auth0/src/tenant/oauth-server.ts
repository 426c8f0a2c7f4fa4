import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose'
import { type HttpHandler, HttpResponse, http, type JsonBodyType } from 'msw'
import { basicCredentials, bearerToken, readParams, words } from './oauth-requests.js'
import type { TenantState } from './tenant-state.js'
import { DEFAULT_EXPIRES_IN, type TokenOptions } from './tokens.js'

/** What a tenant's endpoints answer from: where they are, its JWKS, and the tokens it signs. */
export interface OAuthTenant {
  readonly issuer: string
  readonly audience: string
  readonly jwksUri: string
  readonly openidConfigurationUri: string
  readonly tokenEndpoint: string
  readonly userinfoEndpoint: string
  readonly authorizationEndpoint: string
  readonly jwks: JSONWebKeySet
  token(options?: TokenOptions): Promise<string>
}

/**
 * The msw handlers of a tenant's endpoints under its issuer: the JWKS, the OpenID configuration,
 * `/oauth/token` (the client-credentials grant) and `/userinfo`. They read `directory()` (the
 * tenant's current clients and users) on every request.
 */
export function tenantHandlers(
  tenant: OAuthTenant,
  directory: () => Pick<TenantState, 'clients' | 'users'>,
): HttpHandler[] {
  return [
    ...getAndHead(tenant.jwksUri, () => HttpResponse.json(tenant.jwks as JsonBodyType)),
    ...getAndHead(tenant.openidConfigurationUri, () => HttpResponse.json(openidConfiguration(tenant))),
    http.post(tenant.tokenEndpoint, ({ request }) => tokenEndpoint(tenant, directory(), request)),
    ...getAndHead(tenant.userinfoEndpoint, (request) => userinfo(tenant, directory(), request)),
  ]
}

/** A GET endpoint, and HEAD on it: the same status and headers, no body (RFC 9110 §9.3.2), as Auth0 answers. */
function getAndHead(url: string, answer: (request: Request) => Response | Promise<Response>): HttpHandler[] {
  return [
    http.get(url, ({ request }) => answer(request)),
    http.head(url, async ({ request }) => {
      const { status, headers } = await answer(request)
      return new HttpResponse(null, { status, headers })
    }),
  ]
}

function openidConfiguration(tenant: OAuthTenant): JsonBodyType {
  return {
    issuer: tenant.issuer,
    authorization_endpoint: tenant.authorizationEndpoint,
    token_endpoint: tenant.tokenEndpoint,
    userinfo_endpoint: tenant.userinfoEndpoint,
    jwks_uri: tenant.jwksUri,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    // Only what the mock serves: /authorize is advertised (OIDC requires it) but not implemented.
    grant_types_supported: ['client_credentials'],
    claims_supported: [
      'aud',
      'email',
      'email_verified',
      'exp',
      'iat',
      'iss',
      'name',
      'nickname',
      'picture',
      'sub',
    ],
  }
}

async function tokenEndpoint(
  tenant: OAuthTenant,
  { clients }: Pick<TenantState, 'clients'>,
  request: Request,
): Promise<Response> {
  const params = await readParams(request)
  if (!params) return oauthError(400, 'invalid_request', 'The request body is neither a form nor JSON')
  const grantType = params.get('grant_type')
  if (!grantType) return oauthError(400, 'invalid_request', 'Missing required parameter: grant_type')
  if (grantType !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`)
  }

  const basic = basicCredentials(request)
  const clientId = basic?.clientId ?? params.get('client_id')
  const clientSecret = basic?.clientSecret ?? params.get('client_secret')
  const client = clients.find((candidate) => candidate.clientId === clientId)
  if (!client || client.clientSecret !== clientSecret) {
    return oauthError(401, 'access_denied', 'Unauthorized')
  }

  const audience = params.get('audience') ?? tenant.audience
  if (audience !== tenant.audience) {
    return oauthError(403, 'access_denied', `Service not enabled within domain: ${audience}`)
  }

  // Like Auth0: the scopes asked for that the client was granted; all granted ones when none is asked for.
  const granted = client.scope === undefined ? undefined : words(client.scope)
  const requested = params.has('scope') ? words(params.get('scope') ?? '') : undefined
  const scope = (
    granted === undefined
      ? (requested ?? [])
      : (requested?.filter((word) => granted.includes(word)) ?? granted)
  ).join(' ')
  const accessToken = await tenant.token({
    sub: `${client.clientId}@clients`,
    audience,
    expiresIn: DEFAULT_EXPIRES_IN,
    ...(scope ? { scope } : {}),
    claims: { azp: client.clientId, gty: 'client-credentials' },
  })
  return HttpResponse.json(
    {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: DEFAULT_EXPIRES_IN,
      ...(scope ? { scope } : {}),
    },
    { headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } },
  )
}

async function userinfo(
  tenant: OAuthTenant,
  { users }: Pick<TenantState, 'users'>,
  request: Request,
): Promise<Response> {
  const token = bearerToken(request)
  if (!token) return invalidToken('Missing Bearer access token')
  let payload: JWTPayload
  try {
    payload = await verify(tenant, token)
  } catch (error) {
    return invalidToken(error instanceof Error ? error.message : String(error))
  }
  if (payload.gty === 'client-credentials') return invalidToken('A client-credentials token has no user')
  const user = users.find((candidate) => candidate.sub === payload.sub)
  if (!user) return invalidToken(`No user ${payload.sub} in this tenant`)
  return HttpResponse.json(user as JsonBodyType)
}

/** Verifies an access token with the tenant's own JWKS, as its `/userinfo` does. */
async function verify(tenant: OAuthTenant, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, createLocalJWKSet(tenant.jwks), {
    issuer: tenant.issuer,
    audience: [tenant.audience, tenant.userinfoEndpoint],
    algorithms: ['RS256'],
  })
  return payload
}

function oauthError(status: number, error: string, description: string): Response {
  return HttpResponse.json(
    { error, error_description: description },
    { status, headers: { 'Cache-Control': 'no-store' } },
  )
}

function invalidToken(description: string): Response {
  const quoted = description.replaceAll('\\', '\\\\').replaceAll('"', '\\"')
  return HttpResponse.json(
    { error: 'invalid_token', error_description: description },
    {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${quoted}"` },
    },
  )
}
