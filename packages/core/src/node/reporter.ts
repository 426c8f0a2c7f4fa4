import { appendFileSync } from 'node:fs'
import type { Reporter, TestCase, TestModule, TestSpecification, Vitest } from 'vitest/node'
import { servicesRequiredBy } from '../shared/requirement.js'
import type { ReadyStatus, ServiceStatus } from '../shared/service-status.js'
import { commandLineFileFilters, matchesFileFilters } from './command-line-files.js'
import { recordRunHistory } from './flakiness/run-history.js'
import { journeyMarkdown, journeyTables } from './journey-table.js'
import type { AuditEntry } from './policy/audit-log.js'
import { policyLines, policyMarkdown } from './policy/policy-report.js'
import { budgetAttempts } from './policy/run-budgets.js'
import type { RunPolicy } from './policy/run-policy.js'
import type { HubEvent, ServiceHub } from './service-hub.js'
import { prestartServices } from './service-prestart.js'
import {
  type MergedService,
  mergedServices,
  recordedService,
  ServiceRecorder,
  shardsLabel,
} from './shards/shard-services.js'
import { allOf, type TagsPredicate } from './tags-expression.js'

type Outcome = 'success' | 'failure' | 'partial failure' | 'complete skip'

interface Starting {
  provider: string
  since: number
  /** Held back 250 ms, or until the provider's first progress line, whichever comes first. */
  announce: NodeJS.Timeout
  announced: boolean
}

/** A test file a pipeline does not load: none of its tests is selected. */
export interface LeftOutFile {
  file: string
  /** Each test's tags, read from the source. */
  tests: string[][]
}

/** What a pipeline's plugin tells the reporter about the pipeline's selection. */
export interface PipelineSelection {
  select?: string
  /** The command line's `--tags-filter`. */
  tagsFilter: string[]
  /** The project's directory, that file filters on the command line are relative to. */
  dir: string
  /** Files the pipeline did not load: none of their tests is selected. */
  leftOut: LeftOutFile[]
}

interface Pipeline {
  selects?: TagsPredicate
  filtered?: TagsPredicate
  dir: string
  leftOut: LeftOutFile[]
}

interface Category {
  service: string
  passed: number
  failed: number
  skipped: number
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`

function outcomeOf(c: Category): Outcome {
  if (c.failed === 0 && c.skipped === 0) return 'success'
  if (c.passed === 0 && c.failed === 0) return 'complete skip'
  if (c.passed === 0) return 'failure'
  return 'partial failure'
}

/**
 * Shows what Vitest's default reporter hides: which services started (or why not), a live line while
 * they start, why each test was skipped, flaky passes, and per service category the outcome (success,
 * partial failure, complete skip, failure).
 * Writes to stderr so machine-readable reporters keep stdout to themselves.
 */
export class TestbedReporter implements Reporter {
  private vitest: Vitest | undefined
  private hub: ServiceHub | undefined
  private readonly starting = new Map<string, Starting>()
  private ticker: NodeJS.Timeout | undefined
  private readonly pipelines = new Map<string, Pipeline>()
  private policy: RunPolicy | undefined
  private recorder: ServiceRecorder | undefined

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  /** The services the run's files will ask for start now, beside the workers' own start. */
  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    if (this.hub && this.vitest)
      prestartServices(this.vitest, this.hub, specifications, new Set(this.pipelines.keys()))
  }

  /** Each file carries the services that settled while it ran, for blob reports (docs/sharding.md). */
  onTestModuleEnd(module: TestModule): void {
    if (!this.hub || !this.vitest) return
    const shard = this.vitest.config.shard
    this.recorder ??= new ServiceRecorder(shard ? `${shard.index}/${shard.count}` : undefined)
    this.recorder.onModuleEnd(module.meta(), this.hub.settled, this.hub.upNote)
  }

  /** Called by each pipeline's plugin; the hub is one per run. */
  attach(hub: ServiceHub): void {
    if (this.hub === hub) return
    this.hub = hub
    this.recorder = undefined // what it wrote was of the previous hub's services
    hub.on((event) => this.onHubEvent(event))
  }

  /** Called by each pipeline's plugin, with what its selection leaves out. */
  addPipeline(name: string, selection: PipelineSelection): void {
    this.pipelines.set(name, {
      selects: selection.select ? allOf([selection.select]) : undefined,
      filtered: selection.tagsFilter.length ? allOf(selection.tagsFilter) : undefined,
      dir: selection.dir,
      leftOut: selection.leftOut,
    })
  }

  /** Called by each pipeline's plugin when the repository has a policy (one per run). */
  setPolicy(policy: RunPolicy): void {
    this.policy = policy
  }

  /**
   * Under a policy, each test case carries the policy's digest and version, which Vitest's JUnit
   * reporter writes as the test case's `<properties>` (it writes a test's annotations there). Added in
   * the main process, where Vitest keeps a test's annotations, as each test's result comes in, so
   * before any reporter's end of run: `annotate` in the workers would cost a round trip to the main
   * process per call (1.3 ms a test for the two, measured).
   */
  onTestCaseResult(testCase: TestCase): void {
    const policy = this.policy
    if (!policy) return
    annotationsOf(testCase)?.push(
      { type: 'testbed-policy-digest', message: policy.loaded.digest },
      { type: 'testbed-policy-version', message: policy.loaded.policy.version },
    )
  }

  /** The budgets only the end of the run shows, recorded; a refusal fails the run. */
  private endOfRunPolicy(tests: readonly TestCase[]): readonly AuditEntry[] {
    const policy = this.policy
    if (!policy) return []
    const attempts = [...this.pipelines.keys()].flatMap((name) => {
      const rules = policy.governs(name)
      const own = tests.filter((t) => t.project.name === name)
      return rules ? budgetAttempts(name, rules, own) : []
    })
    const entries = policy.record(attempts)
    if (entries.some((e) => e.outcome === 'refused')) process.exitCode = 1
    return policy.entries
  }

  private write(line: string): void {
    const stream = this.vitest?.logger.errorStream ?? process.stderr
    stream.write(`${line}\n`)
  }

  private onHubEvent(event: HubEvent): void {
    if (event.type === 'starting') {
      clearTimeout(this.starting.get(event.service)?.announce)
      // Providers that do not apply answer at once; only a start that takes a moment is announced.
      const starting: Starting = {
        provider: event.provider,
        since: performance.now(),
        announced: false,
        announce: setTimeout(() => this.announce(event.service, starting), 250).unref(),
      }
      this.starting.set(event.service, starting)
      this.ticker ??= setInterval(() => this.tick(), process.stderr.isTTY ? 1000 : 5000).unref()
    } else if (event.type === 'progress') {
      // A progress line never comes before the start it belongs to.
      const starting = this.starting.get(event.service)
      if (starting?.provider === event.provider) this.announce(event.service, starting)
      this.write(`testbed: ${event.service} (${event.provider}): ${event.message}`)
    } else {
      clearTimeout(this.starting.get(event.status.name)?.announce)
      this.starting.delete(event.status.name)
      if (this.starting.size === 0 && this.ticker) {
        clearInterval(this.ticker)
        this.ticker = undefined
      }
      this.write(`testbed: ${statusLine(event.status)}`)
    }
  }

  private announce(service: string, starting: Starting): void {
    if (starting.announced) return
    clearTimeout(starting.announce)
    starting.announced = true
    this.write(`testbed: starting ${service} (${starting.provider}) …`)
  }

  private tick(): void {
    for (const [service, { provider, since, announced }] of this.starting) {
      if (!announced) continue
      this.write(`testbed: still starting ${service} (${provider}), ${seconds(performance.now() - since)}`)
    }
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const tests = modules.flatMap((m) => [...m.children.allTests()])
    // A merge of blob reports ran nothing here: its services are the shards', read from the files' meta.
    const merged = this.vitest?.config.mergeReports ? mergedServices(modules) : undefined
    const statuses: MergedService[] =
      merged?.rows ?? (this.hub?.settled ?? []).map((s) => ({ ...recordedService(s, undefined), shards: [] }))
    const upNotes = merged
      ? merged.upNotes.map((u) => ` testbed up${u.shard ? ` (shard ${u.shard})` : ''}: ${u.note}`)
      : statuses.length && this.hub?.upNote
        ? [` testbed up: ${this.hub.upNote}`]
        : []
    const entries = this.endOfRunPolicy(tests)
    const flakiness = this.vitest ? await recordRunHistory(this.vitest, tests) : undefined
    const lines = [
      ...serviceTable(statuses),
      ...upNotes,
      ...skipReasons(tests),
      ...flakyTests(tests),
      ...journeyTables(modules),
      ...injectedFaults(tests),
      ...categories(tests),
      ...withoutReason(tests, this.pipelines),
      ...(this.policy ? policyLines(this.policy, entries) : []),
      ...(flakiness?.lines ?? []),
    ]
    if (lines.length) this.write(['', ...lines].join('\n'))
    const summaryFile = process.env.GITHUB_STEP_SUMMARY
    if (summaryFile)
      appendFileSync(
        summaryFile,
        markdownSummary(statuses, tests, modules) +
          (this.policy ? policyMarkdown(this.policy, entries) : '') +
          (flakiness?.markdown ?? ''),
      )
  }
}

/**
 * The list Vitest keeps a test's annotations in (the one `TestCase.annotations()` copies): its task's,
 * which the public types leave out.
 */
const annotationsOf = (testCase: TestCase) =>
  (testCase as unknown as { task?: { annotations?: Array<{ type: string; message: string }> } }).task
    ?.annotations

const withDetail = (s: Pick<ReadyStatus, 'endpoint' | 'emulated' | 'detail'> & { shards?: string[] }) => {
  const notes = [s.emulated && `EMULATED: ${s.emulated}`, s.detail, shardsLabel(s.shards ?? [])].filter(
    Boolean,
  )
  return notes.length ? `${s.endpoint} (${notes.join('; ')})` : s.endpoint
}

/** Why a service was not had, naming the shard(s) where it was not, in a merged report. */
const whyNot = (s: MergedService) =>
  s.shards.length ? `${shardsLabel(s.shards)}: ${s.reason}` : (s.reason ?? '')

function statusLine(status: ServiceStatus): string {
  if (status.state === 'ready' && status.emulated) {
    return `${status.name} ready via ${status.provider} in ${seconds(status.startMs)}: ${status.emulated}, not a real ${status.name} (${status.endpoint})`
  }
  if (status.state === 'ready')
    return `${status.name} ready via ${status.provider} in ${seconds(status.startMs)} (${status.endpoint})`
  return status.reason
}

function serviceTable(statuses: readonly MergedService[]): string[] {
  if (!statuses.length) return []
  const rows = statuses.map((s) =>
    s.state === 'ready'
      ? [s.name, s.provider ?? '', seconds(s.startMs ?? 0), withDetail({ ...s, endpoint: s.endpoint ?? '' })]
      : [s.name, '—', '—', whyNot(s)],
  )
  const header = ['service', 'provider', 'start', 'endpoint / why unavailable']
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (i < 3 ? (r[i] ?? '').length : 0))),
  )
  const format = (r: string[]) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ')
  return [' Testbed services', `   ${format(header)}`, ...rows.map((r) => `   ${format(r)}`)]
}

function skipReasons(tests: readonly TestCase[]): string[] {
  const skipped = tests.flatMap((t) => {
    const result = t.result()
    return result.state === 'skipped' && result.note
      ? [`   ↓ ${t.project.name ? `[${t.project.name}] ` : ''}${t.fullName} — ${result.note}`]
      : []
  })
  return skipped.length ? [' Skipped, with reasons', ...skipped] : []
}

/**
 * Tests skipped without a reason, apart: those outside their pipeline's selection (in files it ran,
 * and in files it did not load at all), those `--tags-filter` left out, and the rest (`.skip`, `.todo`).
 */
function withoutReason(tests: readonly TestCase[], pipelines: ReadonlyMap<string, Pipeline>): string[] {
  const notIn = new Map<string, { tests: number; files: number }>()
  const count = (pipeline: string) => {
    const entry = notIn.get(pipeline) ?? { tests: 0, files: 0 }
    notIn.set(pipeline, entry)
    return entry
  }
  let byFilter = 0
  let skipped = 0
  for (const test of tests) {
    const result = test.result()
    if (result.state !== 'skipped' || result.note) continue
    const pipeline = pipelines.get(test.project.name)
    if (pipeline?.selects && !pipeline.selects(test.tags)) count(test.project.name).tests++
    else if (pipeline?.filtered && !pipeline.filtered(test.tags)) byFilter++
    else skipped++
  }
  const filters = commandLineFileFilters()
  for (const [name, pipeline] of pipelines) {
    for (const { file, tests: tags } of pipeline.leftOut) {
      if (!matchesFileFilters(file, filters, pipeline.dir)) continue
      count(name).files++
      for (const t of tags) {
        if (pipeline.selects && !pipeline.selects(t)) count(name).tests++
        else byFilter++
      }
    }
  }
  const lines: string[] = []
  const parts = [...notIn].map(
    ([name, n]) =>
      `${n.tests} in '${name}'${n.files ? ` (${n.files} ${n.files === 1 ? 'file' : 'files'} not loaded)` : ''}`,
  )
  if (parts.length) lines.push(` Not in the pipeline (left out by its selection): ${parts.join(', ')}`)
  if (byFilter) lines.push(` Left out by --tags-filter: ${byFilter}`)
  if (skipped) lines.push(` Skipped without a reason (.skip, .todo): ${skipped}`)
  return lines
}

function flakyTests(tests: readonly TestCase[]): string[] {
  const flaky = tests.filter((t) => t.result().state === 'passed' && t.diagnostic()?.flaky)
  return flaky.length
    ? [
        ' Flaky (passed on a retry)',
        ...flaky.map((t) => {
          const retries = t.diagnostic()?.retryCount ?? 0
          return `   ⚠ ${t.fullName} (${retries} ${retries === 1 ? 'retry' : 'retries'})`
        }),
      ]
    : []
}

/** Tests that broke a service on purpose (the `faults` fixture records what on the test's meta). */
function injectedFaults(tests: readonly TestCase[]): string[] {
  const lines = tests.flatMap((t) => {
    const faults = t.meta().testbedFaults
    return faults?.length ? [`   ⚡ ${t.fullName} — ${faults.join(', ')}`] : []
  })
  return lines.length ? [' Faults injected', ...lines] : []
}

function categorize(tests: readonly TestCase[]): Category[] {
  const byService = new Map<string, Category>()
  for (const test of tests) {
    const state = test.result().state
    if (state === 'pending') continue
    const note = state === 'skipped' ? (test.result() as { note?: string }).note : undefined
    if (state === 'skipped' && !note) continue // filtered out by a pipeline or --tags-filter
    // A skip counts against the service that caused it, not every service the test needs.
    const services = servicesRequiredBy(test.tags).filter((s) => !note || note.startsWith(`${s} `))
    for (const service of services) {
      const category = byService.get(service) ?? { service, passed: 0, failed: 0, skipped: 0 }
      category[state]++
      byService.set(service, category)
    }
  }
  return [...byService.values()]
}

function categories(tests: readonly TestCase[]): string[] {
  const list = categorize(tests)
  if (!list.length) return []
  const icon: Record<Outcome, string> = {
    success: '✅',
    failure: '❌',
    'partial failure': '⚠️ ',
    'complete skip': '-',
  }
  return [
    ' Outcome by service',
    ...list.map((c) => {
      const outcome = outcomeOf(c)
      return `   ${icon[outcome]} ${c.service} tests: ${outcome} (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped)`
    }),
  ]
}

function markdownSummary(
  statuses: readonly MergedService[],
  tests: readonly TestCase[],
  modules: ReadonlyArray<TestModule>,
): string {
  const rows = statuses.map((s) =>
    s.state === 'ready'
      ? `| ${s.name} | ${s.provider} | ${seconds(s.startMs ?? 0)} | ${withDetail({ ...s, endpoint: s.endpoint ?? '' })} |`
      : `| ${s.name} | — | — | ${whyNot(s).replaceAll('|', '\\|')} |`,
  )
  const outcomes = categorize(tests).map(
    (c) =>
      `- **${c.service}**: ${outcomeOf(c)} (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped)`,
  )
  const faults = tests.flatMap((t) => {
    const injected = t.meta().testbedFaults
    return injected?.length ? [`- ${t.fullName}: ${injected.join(', ')}`] : []
  })
  return [
    '### Testbed',
    '',
    '| service | provider | start | endpoint / why unavailable |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...outcomes,
    '',
    ...(faults.length ? ['**Faults injected**', '', ...faults, ''] : []),
    ...journeyMarkdown(modules),
  ].join('\n')
}
