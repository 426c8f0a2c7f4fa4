/** A Vault a provider found or started: where it is and the token Testbed talks to it with. */
export interface VaultFound {
  /** `http://127.0.0.1:8200`, no trailing slash. */
  address: string
  token: string
  /** Where the token came from, for error messages that must never show the token itself. */
  tokenSource: string
}

/** A provisioned Vault, as tests get it. Plain data: it travels from the main process to workers. */
export interface VaultConnection extends VaultFound {
  /** The transit engine's mount path (default `transit`). */
  mount: string
  /** The transit keys provisioning created. */
  keys: string[]
}

/** What code under test reads. */
export function vaultEnv(c: VaultFound): Record<string, string> {
  return { VAULT_ADDR: c.address, VAULT_TOKEN: c.token }
}
