/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures for test files, and the tenant for direct use.
export { type Auth0Connection, auth0Env } from './connection.js'
export { type Auth0Fixtures, type Auth0Tenant, auth0For, test, type UserContext } from './fixtures.js'
export * from './tenant/index.js'

declare module '@testbed/core' {
  interface TestbedServices {
    auth0: true
  }
}
