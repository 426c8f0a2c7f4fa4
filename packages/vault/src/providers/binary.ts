import { diagnoseDiscovery, NotApplicable, type Provider, programVersion } from '@testbed/core/config'
import { findVaultServer } from '../binaries.js'
import type { VaultFound } from '../connection.js'
import { DEV_TOKEN_SOURCE as tokenSource } from './dev-token.js'

/** `vault server -dev` or OpenBao's `bao server -dev` (same flags) from PATH, on a free port. */
export function binaryProvider(): Provider<VaultFound> {
  return {
    kind: 'binary',
    async start(ctx) {
      const { program, path } = findServer()
      const port = await ctx.port()
      const token = ctx.secret()
      const home = await ctx.tempDir()
      await ctx.spawnServer(
        path,
        ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`],
        { env: { ...process.env, HOME: home, VAULT_ADDR: '', VAULT_TOKEN: '' }, stopSignal: 'SIGINT' },
      )
      return {
        connection: { address: `http://127.0.0.1:${port}`, token, tokenSource },
        detail: `${program} server -dev`,
      }
    },
    diagnose: (signal) =>
      diagnoseDiscovery(findServer, async ({ program, path }) => ({
        applicable: true,
        reason: `${program} is on PATH`,
        found: { [program]: `${path}: ${await programVersion(path, signal, ['version'])}` },
      })),
  }
}

function findServer(): NonNullable<ReturnType<typeof findVaultServer>> {
  const server = findVaultServer()
  if (!server) throw new NotApplicable('neither vault nor bao is on PATH')
  return server
}
