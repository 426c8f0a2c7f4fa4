import { randomUUID } from 'node:crypto'
import { relative, sep } from 'node:path'
import type { TestCase } from 'vitest/node'
import type { TestOutcomeRecord } from './history-record.js'

export interface RunIdentity {
  run: string
  at: string
  commit: string | null
  dirty: boolean
  /** The config's root, that files are kept relative to. */
  root: string
}

export function newRunIdentity(root: string, commit: string | null, dirty: boolean): RunIdentity {
  return { run: randomUUID(), at: new Date().toISOString(), commit, dirty, root }
}

/**
 * Each finished test of a run as a history record: `pending` (not run) and skips without a reason
 * (`.skip`, `.todo`, left out by a selection) are not outcomes of the test and are left out;
 * a skip with a reason is kept, and never counted as a run by the report.
 */
export function outcomeRecords(
  tests: readonly TestCase[],
  identity: RunIdentity,
  shardOf: (test: TestCase) => string | undefined,
): TestOutcomeRecord[] {
  return tests.flatMap((test) => {
    const result = test.result()
    if (result.state === 'pending') return []
    if (result.state === 'skipped' && !result.note) return []
    const diagnostic = test.diagnostic()
    const retries = diagnostic?.retryCount ?? 0
    const outcome: TestOutcomeRecord['outcome'] =
      result.state === 'skipped'
        ? 'skipped'
        : result.state === 'failed'
          ? 'failed'
          : diagnostic?.flaky
            ? 'flaky'
            : 'passed'
    const shard = shardOf(test)
    const record: TestOutcomeRecord = {
      v: 1,
      run: identity.run,
      at: identity.at,
      commit: identity.commit,
      ...(identity.dirty && { dirty: true }),
      pipeline: test.project.name,
      ...(shard && { shard }),
      file: relative(identity.root, test.module.moduleId).split(sep).join('/'),
      test: test.fullName,
      outcome,
      retries,
      ...(result.state === 'skipped' && { reason: result.note }),
      durationMs: Math.round(diagnostic?.duration ?? 0),
    }
    return [record]
  })
}
