import { defineFixtureSet, type FixtureSet, useConnection } from '@testbed/core'
import { test as base } from 'vitest'
import { type Auth0Tenant, auth0Tenant } from './auth0-tenant.js'
import type { Auth0Connection } from './connection.js'
import type { MockTenant } from './tenant/index.js'
import { testInterceptedTenant, testPrivateTenant } from './test-tenants.js'

export interface Auth0Fixtures {
  /** The run's tenant, as the main process serves it: its endpoints, its state and keys, the variable names. */
  auth0Connection: Auth0Connection
  /** The run's tenant, seen from a test: where it is, tokens, bad tokens and users signed with its keys. */
  auth0: Auth0Tenant
  /** A tenant of this test's own on loopback, free to rotate and retire keys; closed afterwards. */
  auth0PrivateTenant: { tenant: MockTenant; url: string }
  /** A tenant at `https://testbed.auth0.com/`, answered by msw inside this worker; closed afterwards. */
  auth0Intercepted: MockTenant
}

/**
 * Auth0's fixtures, added to any `test`: `composeFixtures(vitestTest, postgresFixtures, auth0Fixtures)`.
 * Each fixture a test may name asks for the service under its own name, never through another
 * fixture: the advice for a test without its marker then names the fixture the test used.
 */
export const auth0Fixtures: FixtureSet<Auth0Fixtures> = defineFixtureSet((test) =>
  test
    .extend('auth0Connection', async ({ task, skip }) =>
      useConnection<Auth0Connection>({ task, skip }, 'auth0', 'auth0Connection'),
    )
    .extend('auth0', async ({ task, skip }) =>
      auth0Tenant(await useConnection<Auth0Connection>({ task, skip }, 'auth0', 'auth0')),
    )
    .extend('auth0PrivateTenant', async ({ task, skip }, { onCleanup }) => {
      const connection = await useConnection<Auth0Connection>({ task, skip }, 'auth0', 'auth0PrivateTenant')
      const { tenant, url, release } = await testPrivateTenant(connection)
      onCleanup(release)
      return { tenant, url }
    })
    .extend('auth0Intercepted', async ({ task, skip }, { onCleanup }) => {
      const connection = await useConnection<Auth0Connection>({ task, skip }, 'auth0', 'auth0Intercepted')
      const { tenant, release } = await testInterceptedTenant(connection)
      onCleanup(release)
      return tenant
    }),
)

/** Vitest's `test` with Auth0's fixtures. */
export const test = auth0Fixtures(base)
