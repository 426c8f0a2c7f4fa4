// The services a pipeline needs, read as its static selection reads test files: without running them.
import { glob, readFile } from 'node:fs/promises'
import { join, matchesGlob } from 'node:path'
import { configDefaults } from 'vitest/config'
import { REQUIRES_PREFIX, servicesRequiredBy } from '../shared/requirement.js'
import type { Testbed } from './define-testbed.js'
import { staticTags } from './static-tags.js'
import { allOf } from './tags-expression.js'

/**
 * The services pipeline `name` of `testbed` needs, in registration order: its `require`, and each
 * service whose `requires_<service>` marker a test it selects carries. A file whose tags its source
 * alone cannot say for sure (see staticTags) counts with every marker it mentions, so a service is
 * never left out by doubt. `root` is the directory of the config, where the include globs start.
 */
export async function servicesOfPipeline(testbed: Testbed, name: string, root: string): Promise<string[]> {
  const pipeline = testbed.pipelines[name]
  if (!pipeline) throw new Error(`no pipeline named '${name}'`)
  const project = testbed.projects.find((p) => p.test?.name === name)
  const include = project?.test?.include ?? configDefaults.include
  const exclude = project?.test?.exclude ?? configDefaults.exclude
  const excluded = (path: string) => exclude.some((g) => matchesGlob(path, g) || matchesGlob(`${path}/_`, g))
  const selects = allOf(pipeline.select ? [pipeline.select] : [])
  const registered = testbed.services.map((s) => s.name as string)
  const wanted = new Set(pipeline.require ?? [])
  for await (const path of glob(include, { cwd: root, exclude: excluded })) {
    const source = await readFile(join(root, path), 'utf8').catch(() => '')
    if (!source.includes(REQUIRES_PREFIX)) continue
    const parsed = staticTags(source, path)
    const markers = parsed
      ? parsed.tests.filter(selects).flatMap((tags) => servicesRequiredBy(tags))
      : registered.filter((service) => new RegExp(`\\b${REQUIRES_PREFIX}${service}\\b`).test(source))
    for (const service of markers) wanted.add(service)
  }
  return registered.filter((service) => wanted.has(service))
}
