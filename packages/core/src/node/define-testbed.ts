import { fileURLToPath } from 'node:url'
import { configDefaults, type TestProjectInlineConfiguration } from 'vitest/config'
import { requirementTag } from '../shared/requirement.js'
import type { ServiceDefinition } from './define-service.js'
import { type MarkerOptions, markerCatalog } from './markers.js'
import { pipelinePlugin } from './pipeline-plugin.js'
import { TestbedReporter } from './reporter.js'

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
}

export interface Testbed {
  /** Vitest projects, one per pipeline: `test: { projects: testbed.projects }`. */
  projects: TestProjectInlineConfiguration[]
  pipelines: Record<string, PipelineOptions>
  reporter: TestbedReporter
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

const runtimeSetup = fileURLToPath(new URL('../runtime/setup.js', import.meta.url))

/** Turns services and pipelines into Vitest projects that share one run-wide service hub. */
export function defineTestbed(options: TestbedOptions): Testbed {
  const names = options.services.map((s) => s.name)
  const pipelines = options.pipelines ?? defaultPipelines(names)
  const reporter = new TestbedReporter()
  const tags = markerCatalog(names, options.markers)
  const projects = Object.entries(pipelines).map(([name, pipeline]): TestProjectInlineConfiguration => {
    const { setupFiles, ...test } = pipeline.test ?? {}
    return {
      plugins: [
        pipelinePlugin({
          pipeline: name,
          select: pipeline.select,
          require: pipeline.require ?? [],
          real: pipeline.real ?? [],
          services: options.services,
          reporter,
        }),
      ],
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
  return { projects, pipelines, reporter }
}
