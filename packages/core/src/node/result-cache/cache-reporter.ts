import { appendFileSync } from 'node:fs'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import type { ServiceDefinition } from '../define-service.js'
import { isSet } from '../policy/skip-variables.js'
import { addHitsToJUnit, junitReportFiles } from './junit-hits.js'
import { type Hit, type ResultCacheOptions, RunResultCache } from './result-cache.js'

/** The reason a hit is reported with. */
export const hitReason = (commit: string, date: string) => `cached: passed at ${commit}, ${date}`

/** Set (`1`): the terminal lists every hit with its reason, not only each pipeline's count. */
export const VERBOSE_VARIABLE = 'TESTBED_CACHE_VERBOSE'

const hitLine = (h: Hit) => `[${h.project}] ${h.file} — ${hitReason(h.entry.commit, h.entry.date)}`

/** Each pipeline's hits, in the order the pipelines were configured. */
function countsByProject(hits: readonly Hit[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const h of hits) counts.set(h.project, (counts.get(h.project) ?? 0) + 1)
  return counts
}

const filesCount = (n: number) => `${n} ${n === 1 ? 'file' : 'files'}`

const runs = new WeakMap<Vitest, RunResultCache>()

/** The run's cache (one per Vitest instance, shared by its pipelines), its reporter joined once. */
export function runResultCache(
  vitest: Vitest,
  options: ResultCacheOptions,
  services: readonly ServiceDefinition<unknown>[],
): RunResultCache {
  let cache = runs.get(vitest)
  if (!cache) {
    cache = new RunResultCache(vitest, options, services)
    runs.set(vitest, cache)
    vitest.config.reporters.push(new ResultCacheReporter(cache) as never)
  }
  return cache
}

/** The run's cache, when its config has one: the flakiness history follows its store and mode. */
export const resultCacheOf = (vitest: Vitest): RunResultCache | undefined => runs.get(vitest)

/**
 * Stores the run's whole passes and says what came from the cache: the count apart ("412 from cache,
 * 37 run"), each pipeline's hits (each hit with its reason under TESTBED_CACHE_VERBOSE=1, and in the
 * step summary's folded list: hundreds of lines would drown the run's output), a sampled hit that
 * failed as a cache defect, and why the store was not used. Writes to stderr, as Testbed's reporter.
 */
export class ResultCacheReporter implements Reporter {
  private vitest: Vitest | undefined
  constructor(private readonly cache: RunResultCache) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const cache = this.cache
    if (cache.mode === 'off') return
    await cache.endRun(modules)
    const sorted = [...cache.hits].sort(
      (a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file),
    )
    const listed = isSet(process.env[VERBOSE_VARIABLE])
      ? sorted.map((h) => `   ↓ ${hitLine(h)}`)
      : [...countsByProject(sorted)].map(
          ([project, n]) =>
            `   ↓ [${project}] ${filesCount(n)} from cache (${VERBOSE_VARIABLE}=1 lists them)`,
        )
    const lines = [
      ` Result cache (${cache.store.description}, ${cache.mode}): ${cache.hits.length} from cache, ${modules.length} run${cache.stored.count ? `, ${cache.stored.count} stored` : ''} (looked up in ${Math.round(cache.lookupMs)} ms)`,
      ...listed,
      ...cache.defects.map((d) => `   ✖ ${d}`),
      ...cache.warnings.map((w) => `   ⚠ result cache: ${w}`),
    ]
    const stream = this.vitest?.logger.errorStream ?? process.stderr
    stream.write(`\n${lines.join('\n')}\n`)
    if (cache.defects.length) process.exitCode = 1
    const junit = this.vitest && sorted.length ? junitReportFiles(this.vitest) : []
    if (junit.length) {
      const hits = sorted.map((h) => ({
        project: h.project,
        file: h.file,
        reason: hitReason(h.entry.commit, h.entry.date),
      }))
      const root = this.vitest?.config.root ?? process.cwd()
      // Vitest's JUnit reporter writes its file beside this reporter, not before it: by the exit it is done.
      process.once('exit', () => {
        for (const file of junit) {
          let problem: string | undefined
          try {
            problem = addHitsToJUnit(file, hits, root)
          } catch (error) {
            problem = (error as Error).message
          }
          if (problem)
            process.stderr.write(`   ⚠ result cache: the hits are not in the JUnit report: ${problem}\n`)
        }
      })
    }
    const summary = process.env.GITHUB_STEP_SUMMARY
    if (summary)
      appendFileSync(
        summary,
        [
          '',
          `**Result cache**: ${cache.hits.length} from cache, ${modules.length} run`,
          '',
          ...(sorted.length
            ? [
                `<details><summary>${filesCount(sorted.length)} from cache (${[...countsByProject(sorted)].map(([p, n]) => `${p}: ${n}`).join(', ')})</summary>`,
                '',
                ...sorted.map((h) => `- ${hitLine(h).replaceAll('<', '&lt;')}`),
                '',
                '</details>',
                '',
              ]
            : []),
          ...cache.defects.map((d) => `- ❌ ${d}`),
          ...cache.warnings.map((w) => `- ⚠️ ${w}`),
          '',
        ].join('\n'),
      )
  }
}
