/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: fixtures and the client for test files.
export { type VaultConnection, vaultEnv } from './connection.js'
export { type NodeVaultClient, test, type VaultFixtures, vaultFor } from './fixtures.js'
export { VaultClient } from './vault-client.js'
export { VaultError, vaultRequest } from './vault-http.js'

declare module '@testbed/core' {
  interface TestbedServices {
    vault: true
  }
}
