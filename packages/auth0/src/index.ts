/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: the fixture set, the building blocks, and the tenant for direct use.
export { type Auth0Tenant, auth0Tenant, type UserContext } from './auth0-tenant.js'
export { type Auth0Connection, type Auth0Found, auth0Env } from './connection.js'
export { type Auth0Fixtures, auth0Fixtures, test } from './fixtures.js'
export * from './tenant/index.js'
export {
  type TestInterceptedTenant,
  type TestPrivateTenant,
  testInterceptedTenant,
  testPrivateTenant,
} from './test-tenants.js'

declare module '@testbed/core' {
  interface TestbedServices {
    auth0: true
  }
}
