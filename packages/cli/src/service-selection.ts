// Which services `testbed up` starts: the named ones, a pipeline's, or every registered one.
import { servicesOfPipeline } from '@testbed/core/config'
import { CliError } from './cli-error.js'
import type { LoadedConfig } from './load-config.js'

const list = (names: readonly string[]) => names.join(', ') || 'none'

/**
 * The services to start, in registration order, each once. A name the config does not register, or an
 * unknown pipeline, is one error listing the known ones, before anything starts.
 */
export async function selectServices(
  { testbed, root, file }: LoadedConfig,
  named: readonly string[],
  pipeline?: string,
): Promise<string[]> {
  const registered = testbed.services.map((s) => s.name as string)
  const unknown = named.filter((n) => !registered.includes(n))
  if (unknown.length)
    throw new CliError(
      `unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}: ${file} registers ${list(registered)}`,
    )
  if (pipeline !== undefined && !Object.hasOwn(testbed.pipelines, pipeline))
    throw new CliError(`unknown pipeline '${pipeline}': ${file} has ${list(Object.keys(testbed.pipelines))}`)
  const fromPipeline = pipeline === undefined ? [] : await servicesOfPipeline(testbed, pipeline, root)
  if (!named.length && pipeline === undefined) return registered
  const wanted = new Set([...named, ...fromPipeline])
  return registered.filter((n) => wanted.has(n))
}
