import { createRequire } from 'node:module'

/**
 * testcontainers itself, as the module `of` (`@testcontainers/redis`, resolved from `from`, the
 * plugin's `import.meta.url`) resolves it: the same copy, for a plugin's generic containers.
 * The caller names the type (`testcontainersOf<typeof Testcontainers>(…)`): testcontainers is an
 * optional peer of core, so core's published types must not import it.
 */
export function testcontainersOf<Module = unknown>(of: string, from: string): Module {
  const module = createRequire(from).resolve(of)
  return createRequire(module)('testcontainers') as Module
}
