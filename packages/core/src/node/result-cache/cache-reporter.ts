import { appendFileSync } from 'node:fs'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import type { ServiceDefinition } from '../define-service.js'
import { type ResultCacheOptions, RunResultCache } from './result-cache.js'

/** The reason a hit is reported with. */
export const hitReason = (commit: string, date: string) => `cached: passed at ${commit}, ${date}`

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

/**
 * Stores the run's whole passes and says what came from the cache: each hit with its reason, the
 * count apart ("412 from cache, 37 run"), a sampled hit that failed as a cache defect, and why the
 * store was not used. Writes to stderr, as Testbed's reporter.
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
    const lines = [
      ` Result cache (${cache.store.description}, ${cache.mode}): ${cache.hits.length} from cache, ${modules.length} run${cache.stored.count ? `, ${cache.stored.count} stored` : ''} (looked up in ${Math.round(cache.lookupMs)} ms)`,
      ...cache.hits.map((h) => `   ↓ [${h.project}] ${h.file} — ${hitReason(h.entry.commit, h.entry.date)}`),
      ...cache.defects.map((d) => `   ✖ ${d}`),
      ...cache.warnings.map((w) => `   ⚠ result cache: ${w}`),
    ]
    const stream = this.vitest?.logger.errorStream ?? process.stderr
    stream.write(`\n${lines.join('\n')}\n`)
    if (cache.defects.length) process.exitCode = 1
    const summary = process.env.GITHUB_STEP_SUMMARY
    if (summary)
      appendFileSync(
        summary,
        [
          '',
          `**Result cache**: ${cache.hits.length} from cache, ${modules.length} run`,
          '',
          ...cache.defects.map((d) => `- ❌ ${d}`),
          ...cache.warnings.map((w) => `- ⚠️ ${w}`),
          '',
        ].join('\n'),
      )
  }
}
