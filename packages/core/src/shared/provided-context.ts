/**
 * What each pipeline (Vitest project) hands its workers through `provide`/`inject`. How `require`,
 * `requireFromEnv` and `real` decide between a skip and a failure: `strictness.ts`.
 */
export interface TestbedContext {
  /** Loopback address of the main process's service hub, for lazy, once-per-run service starts. */
  hubUrl: string
  hubToken: string
  pipeline: string
  /** Services whose absence fails a test instead of skipping it: the pipeline's `require`… */
  require: string[]
  /** …and `TESTBED_REQUIRE` (a list, or `*` for all). */
  requireFromEnv: string[]
  /** Services this pipeline refuses to take from an emulator (the pipeline's `real`, and `TESTBED_REAL`). */
  real: string[]
}

declare module 'vitest' {
  interface ProvidedContext {
    testbed: TestbedContext
  }
}
