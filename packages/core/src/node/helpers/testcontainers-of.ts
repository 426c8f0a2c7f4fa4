import { createRequire } from 'node:module'
import type * as Testcontainers from 'testcontainers'

/**
 * testcontainers itself, as the module `of` (`@testcontainers/redis`, resolved from `from`, the
 * plugin's `import.meta.url`) resolves it: the same copy, for a plugin's generic containers.
 */
export function testcontainersOf(of: string, from: string): typeof Testcontainers {
  const module = createRequire(from).resolve(of)
  return createRequire(module)('testcontainers') as typeof Testcontainers
}
