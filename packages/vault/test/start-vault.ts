// The vault service through core's hub in this process, and the emulator as a separate process.
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startOutsideProcess } from '@testbed/test-support/outside-process'
import { type Started as StartedService, startService } from '@testbed/test-support/start-service'
import type { VaultConnection } from '../src/connection.ts'
import { type VaultOptions, vault } from '../src/service.ts'

export { ready, reasonOf, stopAndCheck } from '@testbed/test-support/start-service'
export type Started = StartedService<VaultConnection>

export function startVault(env: Record<string, string>, options: VaultOptions = {}): Promise<Started> {
  return startService(vault(options), env, /^(VAULT_\w+|TESTBED_VAULT_PROVIDERS)$/)
}

export const emulatorCli = fileURLToPath(new URL('../dist/emulator/cli.js', import.meta.url))

/** The emulator in its own process, as `VAULT_ADDR` would name a Vault someone else runs. */
export async function emulatorProcess(token: string): Promise<{ address: string; child: ChildProcess }> {
  const cli = [emulatorCli, '--port', '0', '--token', token]
  const { child, match } = await startOutsideProcess(process.execPath, cli, { ready: /listening on (\S+)/ })
  return { address: match[1] as string, child }
}
