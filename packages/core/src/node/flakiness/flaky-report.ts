import { type TestOutcomeRecord, testKey } from './history-record.js'
import { type Interval, wilsonInterval } from './wilson.js'

/** The document's budget: under 1 % of a test's runs flaky. */
export const FLAKY_BUDGET = 0.01

export interface FlakyOptions {
  /** The last this many runs of the history (a run: one Vitest invocation, or one merge of shards). */
  window: number
  /** A test with fewer runs in the window is not judged against the budget. */
  minRuns: number
  budget: number
}

export const DEFAULT_FLAKY_OPTIONS: FlakyOptions = { window: 100, minRuns: 5, budget: FLAKY_BUDGET }

export interface TestFlakiness {
  pipeline: string
  file: string
  test: string
  /** Runs that count: passed, failed and passed on retry; skips (cache hits among them) never do. */
  runs: number
  flaky: number
  /** Of `flaky`: passes that needed a retry. */
  passedOnRetry: number
  /** Of `flaky`: failures on a commit where the same test also passed (clean checkouts only). */
  contradicted: number
  rate: number
  interval: Interval
  /** At least `minRuns` runs: judged against the budget. */
  judged: boolean
  overBudget: boolean
}

export interface FlakyReport {
  options: FlakyOptions
  /** The runs the window holds, and the first and last of them by time. */
  window: { runs: number; from?: string; to?: string }
  suite: {
    /** Test runs (over every test), and how many were flaky. */
    testRuns: number
    flaky: number
    rate: number
    interval: Interval
    /** Runs of the suite in which at least one test was flaky. */
    flakyRuns: number
  }
  /** Every test with a run in the window, the flakiest first. */
  tests: TestFlakiness[]
  overBudget: TestFlakiness[]
  /** Tests with runs in the window but fewer than `minRuns`. */
  tooFewRuns: number
}

const counted = (r: TestOutcomeRecord) => r.outcome !== 'skipped'

/**
 * Each test's and the suite's flaky rate over the window. A run of a test is flaky when it passed on
 * a retry, or when it failed on a commit on which the same test (same pipeline, file and name) also
 * passed: the code was the same, so one of the two outcomes was not the code's. Rates come with a
 * 95 % Wilson score interval; a test is over the budget when its observed rate is, with enough runs.
 */
export function flakyReport(history: readonly TestOutcomeRecord[], options: FlakyOptions): FlakyReport {
  const order: string[] = []
  const seen = new Set<string>()
  for (const r of history) if (!seen.has(r.run)) seen.add(r.run) && order.push(r.run)
  const inWindow = new Set(order.slice(-options.window))
  const records = history.filter((r) => inWindow.has(r.run))
  const times = records.map((r) => r.at).sort()

  const passedOn = new Set<string>()
  // Only a run of a clean checkout is a run of its commit's code.
  const ofCommit = (r: TestOutcomeRecord) => (r.commit && !r.dirty ? `${testKey(r)}\0${r.commit}` : undefined)
  for (const r of records) {
    const key = ofCommit(r)
    if (key && (r.outcome === 'passed' || r.outcome === 'flaky')) passedOn.add(key)
  }

  const byTest = new Map<string, TestFlakiness>()
  const flakyRuns = new Set<string>()
  for (const r of records) {
    if (!counted(r)) continue
    const key = testKey(r)
    const entry = byTest.get(key) ?? {
      pipeline: r.pipeline,
      file: r.file,
      test: r.test,
      runs: 0,
      flaky: 0,
      passedOnRetry: 0,
      contradicted: 0,
      rate: 0,
      interval: { lower: 0, upper: 1 },
      judged: false,
      overBudget: false,
    }
    byTest.set(key, entry)
    entry.runs++
    if (r.outcome === 'flaky') entry.passedOnRetry++
    else if (r.outcome === 'failed' && passedOn.has(ofCommit(r) ?? '')) entry.contradicted++
    else continue
    entry.flaky++
    flakyRuns.add(r.run)
  }
  const tests = [...byTest.values()].map((t) => {
    const rate = t.flaky / t.runs
    const judged = t.runs >= options.minRuns
    return {
      ...t,
      rate,
      interval: wilsonInterval(t.flaky, t.runs),
      judged,
      overBudget: judged && rate > options.budget,
    }
  })
  tests.sort((a, b) => b.rate - a.rate || b.flaky - a.flaky || testKey(a).localeCompare(testKey(b)))
  const testRuns = tests.reduce((n, t) => n + t.runs, 0)
  const flaky = tests.reduce((n, t) => n + t.flaky, 0)
  return {
    options,
    window: { runs: inWindow.size, ...(times.length && { from: times[0], to: times.at(-1) }) },
    suite: {
      testRuns,
      flaky,
      rate: testRuns ? flaky / testRuns : 0,
      interval: wilsonInterval(flaky, testRuns),
      flakyRuns: flakyRuns.size,
    },
    tests,
    overBudget: tests.filter((t) => t.overBudget),
    tooFewRuns: tests.filter((t) => !t.judged).length,
  }
}

/** 16.7 %, 3.01 %, 1 %, 0 %, 100 %: two significant digits below 10 %, no trailing zeros. */
export const percent = (x: number) => `${(x * 100).toFixed(x >= 0.1 ? 1 : 2).replace(/\.?0+$/, '')} %`
const range = (i: Interval) => `95 % CI ${percent(i.lower)}–${percent(i.upper)}`
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

export const testLabel = (t: Pick<TestFlakiness, 'pipeline' | 'file' | 'test'>) =>
  `[${t.pipeline}] ${t.file} > ${t.test}`

function testLine(t: TestFlakiness): string {
  const why = [
    t.passedOnRetry && `${t.passedOnRetry} passed on retry`,
    t.contradicted && `${t.contradicted} failed where it also passed on the same commit`,
  ].filter(Boolean)
  return `${testLabel(t)}: ${t.flaky} of ${plural(t.runs, 'run')} flaky, ${percent(t.rate)} (${range(t.interval)}${why.length ? `; ${why.join(', ')}` : ''})`
}

/** The report as text: the suite's rate, the tests over the budget, then every other flaky test. */
export function flakyLines(report: FlakyReport, source: string): string[] {
  const { suite, options } = report
  const lines = [
    `Flakiness over the last ${plural(report.window.runs, 'run')} of ${source}${report.window.from ? ` (${report.window.from} to ${report.window.to})` : ''}`,
    `  suite: ${suite.flaky} flaky of ${plural(suite.testRuns, 'test run')}, ${percent(suite.rate)} (${range(suite.interval)}); ${suite.flakyRuns} of ${plural(report.window.runs, 'run')} had a flaky test`,
  ]
  const budget = `the ${percent(options.budget)} budget`
  if (report.overBudget.length) {
    lines.push(`  over ${budget} (at least ${plural(options.minRuns, 'run')}):`)
    for (const t of report.overBudget) lines.push(`    ⚠ ${testLine(t)}`)
  } else lines.push(`  no test over ${budget} (among tests with at least ${plural(options.minRuns, 'run')})`)
  const others = report.tests.filter((t) => t.flaky && !t.overBudget)
  if (others.length) {
    lines.push(`  flaky, fewer than ${plural(options.minRuns, 'run')} so not judged:`)
    for (const t of others) lines.push(`    · ${testLine(t)}`)
  }
  if (report.tooFewRuns)
    lines.push(`  ${plural(report.tooFewRuns, 'test')} with fewer than ${plural(options.minRuns, 'run')}`)
  return lines
}

export function flakyMarkdown(report: FlakyReport, source: string): string {
  const { suite } = report
  const cell = (text: string) => text.replaceAll('|', '\\|')
  return [
    '#### Flakiness',
    '',
    `Over the last ${plural(report.window.runs, 'run')} of \`${source}\`: **${percent(suite.rate)}** of ${plural(suite.testRuns, 'test run')} flaky (${range(suite.interval)}); budget ${percent(report.options.budget)}.`,
    '',
    ...(report.overBudget.length
      ? [
          '| test | flaky / runs | rate | 95 % CI |',
          '|---|---|---|---|',
          ...report.overBudget.map(
            (t) =>
              `| ${cell(testLabel(t))} | ${t.flaky} / ${t.runs} | ${percent(t.rate)} | ${percent(t.interval.lower)}–${percent(t.interval.upper)} |`,
          ),
          '',
        ]
      : [`No test over the budget (at least ${plural(report.options.minRuns, 'run')}).`, '']),
  ].join('\n')
}
