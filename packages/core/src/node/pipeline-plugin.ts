import { existsSync } from 'node:fs'
import { glob } from 'node:fs/promises'
import { join, matchesGlob } from 'node:path'
import type { Plugin } from 'vitest/config'
import type { TestProject } from 'vitest/node'
import type { TestbedContext } from '../shared/provided-context.js'
import { pipelineStrictness } from '../shared/strictness.js'
import { commandLineFileFilters, matchesFileFilters } from './command-line-files.js'
import type { ServiceDefinition } from './define-service.js'
import { POLICY_FILE } from './policy/policy.js'
import { isSet, SKIP_CHECKS } from './policy/skip-variables.js'
import type { LeftOutFile, TestbedReporter } from './reporter.js'
import { runResultCache } from './result-cache/cache-reporter.js'
import type { ResultCacheOptions } from './result-cache/result-cache.js'
import { joinRun } from './run-lifecycle.js'
import { testsNoneSelected } from './static-tags.js'
import { allOf } from './tags-expression.js'

export interface PipelineSettings {
  /** Tags expression; ANDed with any `--tags-filter` from the command line, so the CLI only narrows. */
  select?: string
  require: string[]
  real: string[]
}

export interface PipelinePluginOptions {
  /** Each pipeline by its Vitest project's name. */
  pipelines: Record<string, PipelineSettings>
  services: readonly ServiceDefinition<unknown>[]
  reporter: TestbedReporter
  /** The result cache (docs/result-cache.md); omitted: none. */
  resultCache?: ResultCacheOptions
}

const escapeGlob = (path: string) => path.replace(/[*?[\]{}()!@+\\]/g, '\\$&')

/**
 * The project's test files that its filter (the pipeline's selection and `--tags-filter`) certainly
 * leaves without a test, by their source alone. When every file the command line asks for would go,
 * none does: a pipeline with nothing to run still runs (and skips) rather than failing with "No test
 * files found".
 */
async function filesWithoutSelectedTests(project: TestProject, filter: string[]): Promise<LeftOutFile[]> {
  const { include, exclude } = project.config
  const dir = project.config.dir || project.config.root
  const excluded = (path: string) => exclude.some((g) => matchesGlob(path, g) || matchesGlob(`${path}/_`, g))
  const selects = allOf(filter)
  const candidates: string[] = []
  for await (const path of glob(include, { cwd: dir, exclude: excluded })) candidates.push(path)
  const outside = await Promise.all(candidates.map((path) => testsNoneSelected(join(dir, path), selects)))
  const left = candidates.flatMap((path, i) => {
    const tests = outside[i]
    return tests ? [{ path, file: join(dir, path), tests }] : []
  })
  const filters = commandLineFileFilters()
  const asked = (path: string) => matchesFileFilters(join(dir, path), filters, dir)
  if (candidates.filter(asked).every((path) => left.some((l) => l.path === path))) return []
  // A new list: projects may share the resolved one.
  project.config.exclude = [...exclude, ...left.map((l) => escapeGlob(l.path))]
  return left.map(({ file, tests }) => ({ file, tests }))
}

/**
 * The Vite plugin of every pipeline (Vitest project), in the root config: a plugin in a project's own
 * config would make Vitest resolve that project a Vite config and start it a Vite server of its own
 * (see docs/decisions.md), while the root's plugins see every project that shares the root's server.
 * Vitest has no per-project `tagsFilter` option, so a pipeline's selection is appended to its
 * project's resolved filter here, where the command line's filter already sits; Vitest ANDs the list
 * in the workers. Vitest applies that filter only once a file is loaded, so the files whose source
 * shows no selected test are also taken out of the project's files: a pipeline does not pay for the
 * tests of another.
 */
export function pipelinePlugin({
  pipelines,
  services,
  reporter,
  resultCache,
}: PipelinePluginOptions): Plugin {
  return {
    name: 'testbed:pipelines',
    async configureVitest({ vitest, project }) {
      const options = Object.hasOwn(pipelines, project.name) ? pipelines[project.name] : undefined
      const cliFilter = [...(project.config.tagsFilter ?? [])]
      // A repository's policy (docs/policy.md), checked before anything starts: a refusal throws, and
      // Vitest exits with it before any test runs. Without a policy file this costs one stat.
      const governed = existsSync(join(vitest.config.root, POLICY_FILE))
        ? (await import('./policy/pipeline-policy.js')).governedPipeline(vitest, project, pipelines)
        : undefined
      // A project the config declares beside Testbed's pipelines is left as it is.
      if (!options) return
      const run = await joinRun(vitest, services)
      const filter = [...cliFilter, ...(options.select ? [options.select] : [])]
      if (options.select) project.config.tagsFilter = filter
      const leftOut = filter.length ? await filesWithoutSelectedTests(project, filter) : []
      reporter.addPipeline(project.name, {
        select: options.select,
        tagsFilter: cliFilter,
        dir: project.config.dir || project.config.root,
        leftOut,
      })
      // TESTBED_SKIP_CHECKS (where no policy refused it) drops the pipeline's strictness altogether.
      const strictness = isSet(process.env[SKIP_CHECKS])
        ? { require: [], requireFromEnv: [], real: [] }
        : pipelineStrictness(governed ?? options)
      const context: TestbedContext = {
        hubUrl: run.server.url,
        hubToken: run.server.token,
        pipeline: project.name,
        ...strictness,
      }
      if (governed) reporter.setPolicy(governed.policy)
      project.provide('testbed', context)
      // After the selection's own exclusions: the files whose stored pass still holds are not loaded.
      if (resultCache)
        await runResultCache(vitest, resultCache, services).configureProject(project, filter, strictness)
      reporter.attach(run.hub)
      // The reporter joins Vitest's own list once; it writes to stderr, so machine-readable stdout stays clean.
      if (!vitest.config.reporters.some((r) => (r as unknown) === reporter)) {
        vitest.config.reporters.push(reporter as never)
      }
    },
  }
}
