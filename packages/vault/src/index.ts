/// <reference types="@testbed/core" preserve="true" />
// Worker-side API: the fixture set, the building blocks and the client for test files.
export { type VaultConnection, type VaultFound, vaultEnv } from './connection.js'
export { test, type VaultFixtures, vaultFixtures } from './fixtures.js'
export { type NodeVaultClient, nodeVaultClient } from './node-vault.js'
export { type TestTransitKey, testTransitKey } from './test-transit-key.js'
export { VaultClient } from './vault-client.js'
export { VaultError, vaultRequest } from './vault-http.js'

declare module '@testbed/core' {
  interface TestbedServices {
    vault: true
  }
}
