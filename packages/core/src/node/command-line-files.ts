import { basename, isAbsolute, relative, resolve } from 'node:path'
import { parseCLI } from 'vitest/node'

/**
 * The file filters of this `vitest` command line (`vitest run packages/core`); none when Vitest was
 * started some other way. Vitest keeps them to itself, and applies them after a project's globs.
 */
export function commandLineFileFilters(argv: readonly string[] = process.argv): string[] {
  if (!basename(argv[1] ?? '').startsWith('vitest')) return []
  // parseCLI defines Vitest's whole command line anew on every call (10–50 ms here), and every
  // pipeline and the reporter ask: parsed once per command line.
  const key = argv.join('\0')
  let filters = parsed.get(key)
  if (!filters) {
    try {
      filters = parseCLI(['vitest', ...argv.slice(2)]).filter
    } catch {
      filters = []
    }
    parsed.set(key, filters)
  }
  return [...filters]
}

const parsed = new Map<string, string[]>()

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
