import { basename, isAbsolute, relative, resolve } from 'node:path'
import { parseCLI } from 'vitest/node'

/**
 * The file filters of this `vitest` command line (`vitest run packages/core`); none when Vitest was
 * started some other way. Vitest keeps them to itself, and applies them after a project's globs.
 */
export function commandLineFileFilters(argv: readonly string[] = process.argv): string[] {
  if (!basename(argv[1] ?? '').startsWith('vitest')) return []
  try {
    return parseCLI(['vitest', ...argv.slice(2)]).filter
  } catch {
    return []
  }
}

/** Vitest's rule for file filters: a path prefix, or a substring of the file's path in the project. */
export function matchesFileFilters(file: string, filters: readonly string[], dir: string): boolean {
  if (!filters.length) return true
  const path = relative(dir, file).toLowerCase()
  return filters.some(
    (f) =>
      (isAbsolute(f) && file.startsWith(f)) ||
      path.includes(f.toLowerCase()) ||
      path.includes(relative(dir, resolve(f)).toLowerCase()),
  )
}
