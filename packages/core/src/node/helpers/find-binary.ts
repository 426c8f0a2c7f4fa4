import { accessSync, constants, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The first directory holding every one of `names` as an executable, searching `PATH` and then
 * `extraDirs` (e.g. `versionedDirs('/usr/lib/postgresql', 'bin')`, newest first).
 */
export function findBinaryDir(
  names: readonly string[],
  extraDirs: readonly string[] = [],
): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs]
  return dirs.find((dir) => names.every((name) => isExecutable(join(dir, name))))
}

/** Subdirectories of `parent` that look like versions, highest first: `/usr/lib/postgresql/{16,15}`. */
export function versionedDirs(parent: string, suffix = ''): string[] {
  let entries: string[]
  try {
    entries = readdirSync(parent)
  } catch {
    return []
  }
  return entries
    .filter((e) => /^\d+(\.\d+)*$/.test(e))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((e) => join(parent, e, suffix))
}
