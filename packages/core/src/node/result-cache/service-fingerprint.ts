import type { ServiceDefinition } from '../define-service.js'
import { sha256 } from './file-digests.js'

/**
 * What is known of a service without starting it: its providers' kinds in the config's order, every
 * `TESTBED_<NAME>_…` variable (provider order, image, version; as hashes, since a value may be a secret and the record is stored), and the
 * plugin's own `fingerprint()` (PostgreSQL: its migrations' content).
 */
export async function serviceFingerprint(
  definition: ServiceDefinition<unknown> | undefined,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<unknown> {
  if (!definition) return { unknown: name }
  const prefix = `TESTBED_${name.toUpperCase().replace(/\W/g, '_')}_`
  const variables = Object.fromEntries(
    Object.keys(env)
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((k) => [k, sha256(env[k] ?? '')]),
  )
  return {
    providers: definition.providers.map((p) => p.kind),
    variables,
    plugin: (await definition.fingerprint?.()) ?? null,
  }
}
