import { execFileSync } from 'node:child_process'
import type { TestCase, Vitest } from 'vitest/node'
import { headCommit } from '../policy/audit-log.js'
import { resultCacheOf } from '../result-cache/cache-reporter.js'
import {
  DEFAULT_FLAKY_OPTIONS,
  type FlakyReport,
  flakyMarkdown,
  flakyReport,
  percent,
  testLabel,
} from './flaky-report.js'
import { pruneByRetention } from './history-retention.js'
import { runHistoryTarget } from './history-target.js'
import { newRunIdentity, outcomeRecords } from './run-outcomes.js'

/** `TESTBED_COMMIT` names the commit a run's outcomes are recorded against, where git cannot tell. */
export const COMMIT_VARIABLE = 'TESTBED_COMMIT'

/** Whether tracked files differ from HEAD (untracked ones are left out: build output, scratch files). */
function changedTrackedFiles(root: string): boolean {
  try {
    return (
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'ignore'],
      }).length > 0
    )
  } catch {
    return false
  }
}

/**
 * Vitest writes a blob report here (`--reporter=blob`): a shard whose outcomes the merge records, so
 * that a sharded run is one run of the history, with each test's shard, and is not counted twice.
 */
function writesBlob(vitest: Vitest): boolean {
  return vitest.config.reporters.some((r) =>
    Array.isArray(r) ? r[0] === 'blob' : (r as object | undefined)?.constructor?.name === 'BlobReporter',
  )
}

/**
 * Appends the run's outcomes to its history (history-target.ts: TESTBED_HISTORY, the result cache's
 * shared store, or `.testbed/history.jsonl`), then reads the window back for the summary's section.
 * A history that cannot be written or read costs the section, with a warning naming it, never the run.
 */
export async function recordRunHistory(
  vitest: Vitest,
  tests: readonly TestCase[],
): Promise<{ lines: string[]; markdown: string } | undefined> {
  const root = vitest.config.root
  if (writesBlob(vitest)) return undefined
  let target: ReturnType<typeof runHistoryTarget>
  try {
    target = runHistoryTarget(root, resultCacheOf(vitest))
  } catch (error) {
    return { lines: [` ⚠ Flakiness: history not kept (${(error as Error).message})`], markdown: '' }
  }
  if (!target) return undefined
  const shard = vitest.config.shard
  const ownShard = shard ? `${shard.index}/${shard.count}` : undefined
  const given = process.env[COMMIT_VARIABLE]?.trim()
  const commit = given || headCommit(root)
  const records = outcomeRecords(
    tests,
    newRunIdentity(root, commit, !given && commit !== null && changedTrackedFiles(root)),
    (test) => test.module.meta().testbedShard ?? ownShard,
  )
  if (!records.length) return undefined
  const notes: string[] = []
  let appended = true
  try {
    await target.write.append(records)
  } catch (error) {
    // A shared history out of reach (a laptop without the CI's S3 variables): the checkout's file
    // keeps the run, and the summary is of that file.
    const fallback = target.fallback
    const kept = fallback
      ? await fallback.append(records).then(
          () => true,
          () => false,
        )
      : false
    notes.push(
      ` ⚠ Flakiness: this run's outcomes could not be appended to ${target.write.location} (${(error as Error).message})${kept && fallback ? `, so they went to ${fallback.location}` : ''}; the tests' results stand`,
    )
    if (kept && fallback) target = { write: fallback, read: fallback, readOnly: false }
    appended = kept
  }
  // TESTBED_HISTORY_KEEP_DAYS: the history this run wrote is pruned (the shared one only by a run
  // that may write it).
  const pruned = appended ? await pruneByRetention(target.write) : undefined
  if (pruned) notes.push(pruned)
  if (target.readOnly)
    notes.push(
      `   (${target.read.location} is read only: this run may not write the result cache, so its outcomes went to ${target.write.location} and count here only)`,
    )
  try {
    const window = await target.read.read({ runs: DEFAULT_FLAKY_OPTIONS.window })
    const history = target.readOnly ? [...window, ...records] : window
    const report = flakyReport(history, DEFAULT_FLAKY_OPTIONS)
    return {
      lines: [...summaryLines(report, target.read.location), ...notes],
      markdown: flakyMarkdown(report, target.read.location),
    }
  } catch (error) {
    return {
      lines: [
        ...notes,
        ` ⚠ Flakiness: the history at ${target.read.location} could not be read (${(error as Error).message})`,
      ],
      markdown: '',
    }
  }
}

/** One line for a steady suite; the tests over the budget named under it. */
function summaryLines(report: FlakyReport, location: string): string[] {
  const { suite, window } = report
  const lines = [
    ` Flakiness (last ${window.runs} ${window.runs === 1 ? 'run' : 'runs'}, ${location}): ${suite.flaky} of ${suite.testRuns} test runs flaky, ${percent(suite.rate)} (95 % CI ${percent(suite.interval.lower)}–${percent(suite.interval.upper)})`,
  ]
  for (const t of report.overBudget)
    lines.push(
      `   ⚠ over the ${percent(report.options.budget)} budget: ${testLabel(t)} (${t.flaky} of ${t.runs} runs, ${percent(t.rate)})`,
    )
  return lines
}
