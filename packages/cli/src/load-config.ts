// The repository's Testbed config, as a test run reads it: the `testbed` export of
// `vitest.workspace.ts` (README: "Use it in your repo"), loaded through Vite as Vitest loads configs.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import type { Testbed } from '@testbed/core/config'
import { CliError } from './cli-error.js'

const NAMES = ['vitest.workspace.ts', 'vitest.workspace.mts', 'vitest.workspace.js', 'vitest.workspace.mjs']

export interface LoadedConfig {
  testbed: Testbed
  /** The config file's directory: the repository root, where a test run's relative paths start. */
  root: string
  file: string
}

/** `explicit` (a path), else the nearest `vitest.workspace.*` from `cwd` upwards. */
export function findConfig(cwd: string, explicit?: string): string {
  if (explicit) {
    const file = resolve(cwd, explicit)
    if (!existsSync(file)) throw new CliError(`no Testbed config at ${file} (from --config)`)
    return file
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of NAMES) if (existsSync(join(dir, name))) return join(dir, name)
    if (dirname(dir) === dir) break
  }
  throw new CliError(
    `no Testbed config found: no ${NAMES[0]} in ${resolve(cwd)} or above it (it exports \`testbed = defineTestbed(…)\`; see the README), or name one with --config`,
  )
}

/** Vite as Vitest resolves it: the same copy, whichever package manager laid out node_modules. */
async function viteOf(root: string): Promise<typeof import('vite')> {
  const fromRoot = createRequire(join(root, 'package.json'))
  const vitest = fromRoot.resolve('vitest/package.json')
  const vite = createRequire(vitest).resolve('vite')
  return (await import(vite)) as typeof import('vite')
}

export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const file = findConfig(cwd, explicit)
  const root = dirname(file)
  let module: Record<string, unknown>
  try {
    const vite = await viteOf(root)
    ;({ module } = await vite.runnerImport<Record<string, unknown>>(file, {
      root,
      configFile: false,
      logLevel: 'error',
    }))
  } catch (error) {
    throw new CliError(`could not load ${file}: ${(error as Error).message}`)
  }
  const testbed = module.testbed as Testbed | undefined
  if (!testbed || !Array.isArray(testbed.services) || typeof testbed.pipelines !== 'object')
    throw new CliError(
      `${file} has no \`testbed\` export from defineTestbed(…): export it (\`export const testbed = defineTestbed({ … })\`)`,
    )
  return { testbed, root, file }
}
