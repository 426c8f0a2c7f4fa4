import type { TestProjectInlineConfiguration } from 'vitest/config'

/**
 * Testbed's packages as a user's install has them: in node_modules, which Vitest loads with Node
 * (externalised). In this monorepo they are symlinks to packages/*, outside node_modules, which
 * Vitest would inline and transform in every worker (~140 ms CPU here), a cost no user pays.
 */
export function asInstalled(projects: TestProjectInlineConfiguration[]): TestProjectInlineConfiguration[] {
  return projects.map((p) => ({
    ...p,
    test: { ...p.test, server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } } },
  }))
}
