// The record `testbed up --detach` leaves in the repository: which services its process holds, and
// how to reach that process. A test run reads it to use those services instead of starting its own.
import { mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { ProviderKind } from '../../shared/service-status.js'

/** Relative to the repository root (the directory of the Vitest config); `.testbed/` is git-ignored. */
export const STATE_FILE = join('.testbed', 'up.json')

export interface UpService {
  name: string
  /** The provider that started it in the `up` process. */
  provider: ProviderKind
  detail?: string
  emulated?: string
  /** What the provider found (before provisioning): a run provisions it again with its own config. */
  found: unknown
  /** Secrets redacted. */
  endpoint: string
  /** The variables the plugin exports to code under test (secrets included: the file is 0600). */
  env: Record<string, string>
  since: string
}

export interface UpState {
  version: 1
  /** The real path of the repository root it was started for: another checkout never trusts it. */
  checkout: string
  pid: number
  /** The `up` process's control endpoint (loopback HTTP); the token proves a live process is that one. */
  control: { url: string; token: string }
  startedAt: string
  services: UpService[]
}

export const statePath = (root: string) => join(root, STATE_FILE)

/** A state file that exists but cannot be used as one: says which file and why. */
export class CorruptState extends Error {
  override name = 'CorruptState'
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** What is wrong with `value` as a state, or undefined when nothing is. */
function problemOf(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object'
  if (value.version !== 1) return `its version is ${JSON.stringify(value.version)}, not 1`
  if (typeof value.checkout !== 'string') return '"checkout" is not a string'
  if (!Number.isInteger(value.pid) || (value.pid as number) <= 0) return '"pid" is not a process id'
  const control = value.control
  if (!isObject(control) || typeof control.url !== 'string' || typeof control.token !== 'string')
    return '"control" needs a "url" and a "token"'
  if (typeof value.startedAt !== 'string') return '"startedAt" is not a string'
  if (!Array.isArray(value.services)) return '"services" is not a list'
  for (const [i, s] of value.services.entries()) {
    if (!isObject(s) || typeof s.name !== 'string' || typeof s.provider !== 'string')
      return `services[${i}] needs a "name" and a "provider"`
    if (!('found' in s) || typeof s.endpoint !== 'string' || !isObject(s.env))
      return `services[${i}] (${s.name}) needs "found", "endpoint" and "env"`
  }
  return undefined
}

/** The state file of `root`; undefined when there is none; CorruptState when it is not one. */
export async function readState(root: string): Promise<UpState | undefined> {
  const path = statePath(root)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CorruptState(`${path} is corrupt: it is not JSON (${(error as Error).message})`)
  }
  const problem = problemOf(value)
  if (problem) throw new CorruptState(`${path} is corrupt: ${problem}`)
  return value as UpState
}

/** Writes the state atomically (a reader sees the old file or the new one), readable by its owner only. */
export async function writeState(root: string, state: UpState): Promise<void> {
  const path = statePath(root)
  await mkdir(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  await rename(temp, path)
}

export async function removeState(root: string): Promise<void> {
  await rm(statePath(root), { force: true })
}

/** The repository root as the state file records it (symlinks resolved). */
export const checkoutOf = (root: string) => realpath(root)
