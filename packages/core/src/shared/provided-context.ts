/** What each pipeline (Vitest project) hands its workers through `provide`/`inject`. */
export interface TestbedContext {
  /** Loopback address of the main process's service hub, for lazy, once-per-run service starts. */
  hubUrl: string
  hubToken: string
  pipeline: string
  /** Services whose absence fails a test instead of skipping it. `'*'` means all. */
  strict: string[]
  /** Services this run knows (each has a `requires_<name>` marker). */
  services: string[]
}

declare module 'vitest' {
  interface ProvidedContext {
    testbed: TestbedContext
  }
}

export function isStrict(context: Pick<TestbedContext, 'strict'>, service: string): boolean {
  return context.strict.includes('*') || context.strict.includes(service)
}
