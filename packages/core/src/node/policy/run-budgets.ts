// What only the end of a run shows: tests retried past the budget (their own `retry` option
// included), flaky passes and skips with a reason above what the pipeline's policy allows.
import type { TestCase } from 'vitest/node'
import type { Attempt } from './bypass-attempts.js'
import type { PipelinePolicy } from './policy.js'

const times = (n: number) => `${n} ${n === 1 ? 'time' : 'times'}`

export function budgetAttempts(
  pipeline: string,
  policy: Readonly<PipelinePolicy>,
  tests: readonly TestCase[],
): Attempt[] {
  const found: Attempt[] = []
  const attempt = (what: string, rule: string, reason: string): Attempt => ({
    pipeline,
    what,
    rule,
    reason,
    permitted: false,
  })
  const { retries, skipped } = policy
  if (retries) {
    for (const test of tests) {
      const count = test.diagnostic()?.retryCount ?? 0
      if (count > retries.max)
        found.push(
          attempt(
            `'${test.fullName}' retried ${times(count)}`,
            'retries.max',
            `above the policy's ${retries.max} per test (its own retry option allows more)`,
          ),
        )
    }
    const flaky = tests.filter((t) => t.result().state === 'passed' && t.diagnostic()?.flaky)
    if (retries.flaky !== undefined && flaky.length > retries.flaky)
      found.push(
        attempt(
          `${flaky.length} flaky passes`,
          'retries.flaky',
          `${flaky.length} tests passed only on a retry (${flaky.map((t) => `'${t.fullName}'`).join(', ')}); the policy allows ${retries.flaky}`,
        ),
      )
  }
  if (skipped) {
    const withReason = tests.filter((t) => {
      const result = t.result()
      return result.state === 'skipped' && Boolean(result.note)
    })
    const allowed = skipped.allowed ? (skipped.max ?? Number.POSITIVE_INFINITY) : 0
    if (withReason.length > allowed)
      found.push(
        attempt(
          `${withReason.length} skipped with a reason`,
          skipped.allowed ? 'skipped.max' : 'skipped.allowed',
          `${withReason.length} tests skipped (${withReason.map((t) => `'${t.fullName}'`).join(', ')}); the policy allows ${allowed}`,
        ),
      )
  }
  return found
}
