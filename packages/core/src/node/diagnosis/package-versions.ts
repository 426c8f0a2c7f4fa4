import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { NotApplicable } from '../../shared/errors.js'

/**
 * The packages an in-process provider (an emulator, a mock tenant) runs on, looked up where its module
 * would find them (`from`: its `import.meta.url`), with their versions; NotApplicable naming one that
 * is missing. Nothing is imported.
 */
export function packagesFound(names: readonly string[], from: string): Record<string, string> {
  const require = createRequire(from)
  return Object.fromEntries(
    names.map((name) => {
      // The node_modules directories Node would search, nearest first (no export conditions involved).
      for (const dir of require.resolve.paths(name) ?? []) {
        try {
          const pkg = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as {
            version?: string
          }
          return [name, pkg.version ?? 'unknown']
        } catch {}
      }
      throw new NotApplicable(`${name} is not installed (not found from ${require.resolve.paths(name)?.[0]})`)
    }),
  )
}
