// A service starts when a test first asks for it, from a worker Vitest has just started, so its
// start-up would follow the workers' own. At the run's start, once Vitest knows the files it will run
// (after sharding, the pipelines' selections and the result cache), the services named by their
// selected tests' markers — read from source, as the static selection reads them — are started
// without waiting: the two overlap, and a worker's request joins the start under way. Only what the
// source says for sure counts; a `-t` filter or a file asked for by line or test name (tests the source cannot single out), a merge of blob
// reports (nothing runs) or TESTBED_PRESTART=off starts nothing early.
import type { TestSpecification, Vitest } from 'vitest/node'
import { servicesRequiredBy } from '../shared/requirement.js'
import type { ServiceHub } from './service-hub.js'
import { selectedTestsTags } from './static-tags.js'
import { allOf } from './tags-expression.js'

export const PRESTART_VARIABLE = 'TESTBED_PRESTART'

/** A file asked for by line, test name or id (an editor's run of one test): its source cannot say which run. */
const narrowed = (spec: TestSpecification) =>
  Boolean(spec.testLines?.length || spec.testNamePattern || spec.testIds?.length || spec.testNames?.length)

/** The services the selected tests of `specs` name, for Testbed's pipelines (by project name). */
export async function servicesAhead(
  specs: readonly TestSpecification[],
  pipelines: ReadonlySet<string>,
): Promise<string[]> {
  const wanted = new Set<string>()
  await Promise.all(
    specs
      .filter((spec) => pipelines.has(spec.project.name) && !narrowed(spec))
      .map(async (spec) => {
        // The project's resolved filter: the command line's and the pipeline's selection.
        const filter = [...(spec.project.config.tagsFilter ?? []), ...(spec.testTagsFilter ?? [])]
        const tests = await selectedTestsTags(spec.moduleId, allOf(filter))
        for (const tags of tests ?? []) for (const service of servicesRequiredBy(tags)) wanted.add(service)
      }),
  )
  return [...wanted]
}

/** Starts, without waiting, what `specs` will ask for; a failure is the worker's to report, as ever. */
export function prestartServices(
  vitest: Vitest,
  hub: ServiceHub,
  specs: readonly TestSpecification[],
  pipelines: ReadonlySet<string>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (env[PRESTART_VARIABLE] === 'off' || vitest.config.mergeReports || vitest.getGlobalTestNamePattern())
    return
  void servicesAhead(specs, pipelines)
    .then((names) => hub.ensure(names))
    .catch(() => {})
}
