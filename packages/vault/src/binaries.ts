import { join } from 'node:path'
import { findBinaryDir } from '@testbed/core/config'

/** Vault's server programs, in the order they are looked for: HashiCorp's, then OpenBao's (same flags). */
const programs = ['vault', 'bao'] as const

/** The first of `vault` or `bao` on PATH, with its path; undefined when neither is there. */
export function findVaultServer(): { program: (typeof programs)[number]; path: string } | undefined {
  for (const program of programs) {
    const dir = findBinaryDir([program])
    if (dir) return { program, path: join(dir, program) }
  }
  return undefined
}
