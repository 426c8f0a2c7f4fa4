/**
 * Typed marker names. Each plugin adds its service to `TestbedServices`, so `requires_postgress` (a
 * typo) is a type error; add your own markers by augmenting Vitest's `TestTags` with another key.
 */
export interface TestbedServices {
  /** core's `dockerEngine()`: for tests that drive containers themselves */
  docker: true
  /** core's `composeCli()`: a Docker engine and the Compose v2 CLI, for tests that bring compose files up */
  compose: true
}

export type BuiltinMarker =
  | 'tier1'
  | 'tier2'
  | 'tier3'
  | 'e2e'
  | 'slow'
  | 'infrastructure'
  | 'enterprise'
  | 'flaky'
export type Marker = BuiltinMarker | `requires_${keyof TestbedServices & string}`

declare module 'vitest' {
  interface TestTags {
    testbed: Marker
  }
}
