import { fileURLToPath } from 'node:url'
import { configDefaults, type Plugin, type TestProjectInlineConfiguration } from 'vitest/config'
import { requirementTag } from '../shared/requirement.js'
import type { ServiceDefinition } from './define-service.js'
import { type MarkerOptions, markerCatalog } from './markers.js'
import { pipelinePlugin } from './pipeline-plugin.js'
import { TestbedReporter } from './reporter.js'
import type { ResultCacheOptions } from './result-cache/result-cache.js'

export interface PipelineOptions {
  /** Vitest tags expression selecting this pipeline's tests; omitted: every test. */
  select?: string
  /** Services whose absence fails this pipeline's tests instead of skipping them. */
  require?: string[]
  /** Services this pipeline refuses to take from an emulator (a real Vault, not Testbed's stand-in). */
  real?: string[]
  /** A non-blocking pipeline (CI lets it fail); recorded for workflows and docs. */
  optional?: boolean
  /** Extra Vitest project options (include, exclude, environment, …). */
  test?: NonNullable<TestProjectInlineConfiguration['test']>
}

export interface TestbedOptions {
  // biome-ignore lint/suspicious/noExplicitAny: each service has its own connection type
  services: ServiceDefinition<any, any>[]
  /** Test files of every pipeline. */
  include?: string[]
  exclude?: string[]
  /** Default: `main` and `enterprise` (see `defaultPipelines`). */
  pipelines?: Record<string, PipelineOptions>
  markers?: MarkerOptions
  /** Skip the test files whose result is already known (docs/result-cache.md). */
  resultCache?: ResultCacheOptions
}

export interface Testbed {
  /** Vitest projects, one per pipeline: `test: { projects: testbed.projects }`. */
  projects: TestProjectInlineConfiguration[]
  /**
   * The root config's plugins: `plugins: testbed.plugins`. The pipelines' selection, the run-wide
   * service hub and the reporter; in the root config (not in each project's), so the projects share
   * the root's Vite server.
   */
  plugins: Plugin[]
  pipelines: Record<string, PipelineOptions>
  /** The services, as registered: what `testbed up` and `testbed doctor` read. */
  // biome-ignore lint/suspicious/noExplicitAny: each service has its own connection type
  services: ServiceDefinition<any, any>[]
  reporter: TestbedReporter
  /** As given: `testbed flaky` reads the history its store keeps. */
  resultCache?: ResultCacheOptions
}

const ENTERPRISE_SERVICES = ['vault', 'auth0']

/**
 * `enterprise`: tests marked `enterprise` or needing Vault or Auth0 (optional, non-blocking).
 * `main`: everything else; PostgreSQL required when registered.
 */
export function defaultPipelines(services: readonly string[]): Record<string, PipelineOptions> {
  const enterprise = [
    'enterprise',
    ...ENTERPRISE_SERVICES.filter((s) => services.includes(s)).map(requirementTag),
  ].join(' or ')
  return {
    main: { select: `not (${enterprise})`, require: services.includes('postgres') ? ['postgres'] : [] },
    enterprise: { select: enterprise, optional: true },
  }
}

/**
 * Options with which Vitest 5 gives a project a Vite server of its own; the root's plugins do not
 * reach such a project, so it carries the plugin itself.
 */
const OWN_SERVER_OPTIONS = ['alias', 'browser', 'css', 'mode', 'root'] as const
const ownsServer = (test: NonNullable<PipelineOptions['test']>) =>
  OWN_SERVER_OPTIONS.some((o) => test[o] !== undefined) ||
  test.deps?.optimizer !== undefined ||
  test.deps?.moduleDirectories !== undefined

const runtimeSetup = fileURLToPath(new URL('../runtime/setup.js', import.meta.url))

/** Turns services and pipelines into Vitest projects that share one run-wide service hub. */
export function defineTestbed(options: TestbedOptions): Testbed {
  const names = options.services.map((s) => s.name)
  const pipelines = options.pipelines ?? defaultPipelines(names)
  const reporter = new TestbedReporter()
  const tags = markerCatalog(names, options.markers)
  const plugin = pipelinePlugin({
    pipelines: Object.fromEntries(
      Object.entries(pipelines).map(([name, p]) => [
        name,
        { select: p.select, require: p.require ?? [], real: p.real ?? [] },
      ]),
    ),
    services: options.services,
    reporter,
    resultCache: options.resultCache,
  })
  const projects = Object.entries(pipelines).map(([name, pipeline]): TestProjectInlineConfiguration => {
    const { setupFiles, ...test } = pipeline.test ?? {}
    return {
      ...(ownsServer(test) && { plugins: [plugin] }),
      test: {
        ...(options.include && { include: options.include }),
        ...(options.exclude && { exclude: [...configDefaults.exclude, ...options.exclude] }),
        ...test,
        name,
        tags,
        setupFiles: [runtimeSetup, ...(setupFiles === undefined ? [] : [setupFiles].flat())],
      },
    }
  })
  return {
    projects,
    plugins: [plugin],
    pipelines,
    services: options.services,
    reporter,
    ...(options.resultCache && { resultCache: options.resultCache }),
  }
}
