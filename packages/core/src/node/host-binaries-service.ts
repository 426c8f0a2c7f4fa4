import { join } from 'node:path'
import { NotApplicable } from '../shared/errors.js'
import { defineService, type ServiceDefinition } from './define-service.js'
import { diagnoseDiscovery } from './diagnosis/discovery.js'
import { programsFound } from './diagnosis/program-version.js'
import { findBinaryDir } from './helpers/find-binary.js'

/**
 * Programs on this machine as a service, for tests that run them directly: `requires_<name>` skips
 * them with the reason where the programs are missing (or fails them where they are required).
 */
export function hostBinaries(
  name: string,
  binaries: string[],
  extraDirs: () => string[] = () => [],
): ServiceDefinition<string> {
  const find = (): string => {
    const dir = findBinaryDir(binaries, extraDirs())
    if (!dir)
      throw new NotApplicable(
        `${binaries.join(' and ')} not found on PATH${extraDirs().length ? ` or in ${extraDirs().join(', ')}` : ''}`,
      )
    return dir
  }
  return defineService<string>({
    name,
    description: `${binaries.join(', ')} on this machine`,
    providers: [
      {
        kind: 'binary',
        async start() {
          return { connection: find() }
        },
        diagnose: (signal) =>
          diagnoseDiscovery(find, async (dir) => ({
            applicable: true,
            reason: `found in ${dir}`,
            found: await programsFound(Object.fromEntries(binaries.map((b) => [b, join(dir, b)])), signal),
          })),
      },
    ],
    endpoint: (dir) => dir,
  })
}
