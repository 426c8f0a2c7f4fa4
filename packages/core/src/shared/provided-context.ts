/** What each pipeline (Vitest project) hands its workers through `provide`/`inject`. */
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

/** Why a missing service must fail the test, or undefined when it may be skipped. */
export function strictBecause(context: TestbedContext, service: string): string | undefined {
  if (context.require.includes(service)) return `required in pipeline '${context.pipeline}'`
  if (context.requireFromEnv.includes('*') || context.requireFromEnv.includes(service)) {
    return `required in pipeline '${context.pipeline}' by TESTBED_REQUIRE`
  }
  return undefined
}
