// `testbed policy lock|verify`: the lock of the repository's policy (testbed.policy.json), a digest
// over its RFC 8785 canonical form, written to testbed.policy.lock and checked as a test run checks it.
import { existsSync } from 'node:fs'
import {
  LOCK_FILE,
  loadPolicy,
  POLICY_FILE,
  PolicyError,
  PolicyViolation,
  policyPath,
  verifyLock,
  writeLock,
} from '@testbed/core/config'
import { CliError } from '../cli-error.js'
import { configRoot } from '../config-root.js'

export const POLICY_ACTIONS = ['lock', 'verify'] as const

export interface PolicyOptions {
  cwd: string
  config?: string
}

/** Policy errors are the user's to act on: one line, exit status 1. */
function asCliError(error: unknown): never {
  if (error instanceof PolicyError || error instanceof PolicyViolation) throw new CliError(error.message)
  throw error
}

export async function runPolicy(action: string | undefined, options: PolicyOptions): Promise<number> {
  if (!POLICY_ACTIONS.includes(action as (typeof POLICY_ACTIONS)[number]))
    throw new CliError(
      `${action ? `unknown policy action '${action}'` : 'no policy action'} (actions: ${POLICY_ACTIONS.join(', ')})`,
      2,
    )
  const root = configRoot(options.cwd, options.config)
  if (!existsSync(policyPath(root)))
    throw new CliError(`no ${POLICY_FILE} in ${root} (the repository root, beside its Testbed config)`)
  try {
    if (action === 'lock') {
      const { loaded, file } = writeLock(root)
      process.stdout.write(
        `${POLICY_FILE} version ${loaded.policy.version}: ${loaded.digest}\nwrote ${file} (commit it with the policy)\n`,
      )
    } else {
      const loaded = loadPolicy(root)
      verifyLock(root, loaded)
      process.stdout.write(
        `${POLICY_FILE} version ${loaded.policy.version} matches ${LOCK_FILE}: ${loaded.digest}\n`,
      )
    }
  } catch (error) {
    asCliError(error)
  }
  return 0
}
