import type { RunnerTestCase } from 'vitest'
import './journey-meta.js'

/**
 * Why a step cannot run, from what became of the steps before it (their Vitest results: a failure
 * in a hook, a fixture or a soft assertion counts as the step's failure), or `undefined` when every
 * earlier step passed. The first earlier step that did not pass is named.
 */
export function whyStepCannotRun(journey: string, step: Readonly<RunnerTestCase>): string | undefined {
  const index = step.meta.testbedStep?.index ?? 0
  for (const earlier of step.suite?.tasks ?? []) {
    const place = earlier.meta.testbedStep?.index
    if (earlier.type !== 'test' || place === undefined || place >= index) continue
    // Vitest records a dynamic skip's note and `pending` on the result without typing them.
    const result = earlier.result as
      | (NonNullable<typeof earlier.result> & { note?: string; pending?: boolean })
      | undefined
    if (result?.state === 'pass') continue
    if (result?.state === 'fail') return `journey '${journey}': step '${earlier.name}' failed`
    // Skipped while it ran (ctx.skip, a missing service): its own reason, which may already be the journey's.
    if (result?.state === 'skip' && result.pending) {
      if (result.note?.startsWith(`journey '${journey}'`)) return result.note
      return `journey '${journey}': step '${step.name}' needs step '${earlier.name}', which was skipped${result.note ? `: ${result.note}` : ''}`
    }
    return `journey '${journey}': step '${step.name}' needs step '${earlier.name}', which did not run (filtered out)`
  }
  return undefined
}
