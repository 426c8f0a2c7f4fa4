// Testbed's emulator of a Vault dev server's HTTP API (sys, auth/token, transit, kv-v2), in memory.
export {
  createVaultHandler,
  type HttpRequest,
  type HttpResponse,
  type VaultHandler,
  type VaultHandlerOptions,
} from './router.js'
export { startVaultEmulator, type VaultEmulator, type VaultEmulatorOptions } from './vault-emulator.js'
export { EMULATOR_HEADER, EMULATOR_HEADER_VALUE, VAULT_VERSION } from './version.js'
