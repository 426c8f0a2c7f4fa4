import type { Plugin } from 'vitest/config'
import type { TestbedContext } from '../shared/provided-context.js'
import type { ServiceDefinition } from './define-service.js'
import type { TestbedReporter } from './reporter.js'
import { joinRun } from './run-lifecycle.js'
import { realFromEnv, requiredFromEnv } from './strictness.js'

export interface PipelinePluginOptions {
  pipeline: string
  /** Tags expression; ANDed with any `--tags-filter` from the command line, so the CLI only narrows. */
  select?: string
  require: string[]
  real: string[]
  services: readonly ServiceDefinition<unknown>[]
  reporter: TestbedReporter
}

/**
 * The Vite plugin each pipeline (Vitest project) carries. Vitest has no per-project `tagsFilter`
 * option, so the pipeline's selection is appended to the project's resolved filter here, where the
 * command line's filter already sits; Vitest ANDs the list in the workers.
 */
export function pipelinePlugin(options: PipelinePluginOptions): Plugin {
  return {
    name: `testbed:pipeline:${options.pipeline}`,
    async configureVitest({ vitest, project }) {
      const run = await joinRun(vitest, options.services)
      if (options.select) project.config.tagsFilter = [...(project.config.tagsFilter ?? []), options.select]
      const context: TestbedContext = {
        hubUrl: run.server.url,
        hubToken: run.server.token,
        pipeline: options.pipeline,
        require: options.require,
        requireFromEnv: requiredFromEnv(),
        real: [...options.real, ...realFromEnv()],
      }
      project.provide('testbed', context)
      options.reporter.attach(run.hub)
      // The reporter joins Vitest's own list once; it writes to stderr, so machine-readable stdout stays clean.
      if (!vitest.config.reporters.some((r) => (r as unknown) === options.reporter)) {
        vitest.config.reporters.push(options.reporter as never)
      }
    },
  }
}
