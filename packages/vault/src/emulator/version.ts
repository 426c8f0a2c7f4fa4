// The Vault release whose HTTP API the emulator follows, and how it reports itself.
export const VAULT_VERSION_CORE = '1.18.0'
/** `version` in sys/health and sys/seal-status: Vault's form, marked as the emulator. */
export const VAULT_VERSION = `${VAULT_VERSION_CORE}+testbed-emulator`
export const VAULT_BUILD_DATE = '2024-10-08T09:12:52Z'
/** The response header on everything the emulator serves (`x-testbed-emulator: vault`), so a client can tell it from a real Vault. */
export { EMULATOR_HEADER } from '@testbed/core/standalone'
export const EMULATOR_HEADER_VALUE = 'vault'
