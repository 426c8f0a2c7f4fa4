// The vault service through core's hub in this process, and the emulator as a separate process.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'
import { type Started as StartedService, startService } from '../../core/test/start-service.ts'
import type { VaultConnection } from '../src/connection.ts'
import { type VaultOptions, vault } from '../src/service.ts'

export { ready, reasonOf, stopAndCheck } from '../../core/test/start-service.ts'
export type Started = StartedService<VaultConnection>

export function startVault(env: Record<string, string>, options: VaultOptions = {}): Promise<Started> {
  return startService(vault(options), env, /^(VAULT_\w+|TESTBED_VAULT_PROVIDERS)$/)
}

export const emulatorCli = fileURLToPath(new URL('../dist/emulator/cli.js', import.meta.url))
const children: ChildProcess[] = []

/** The emulator in its own process, as `VAULT_ADDR` would name a Vault someone else runs. */
export async function emulatorProcess(token: string): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [emulatorCli, '--port', '0', '--token', token], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString())
      if (match) resolve(match[1] as string)
    })
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)))
  })
  return { address, child }
}

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    }),
  )
})
