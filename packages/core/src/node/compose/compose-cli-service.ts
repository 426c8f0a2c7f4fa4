import { defineService, type ServiceDefinition } from '../define-service.js'
import { diagnoseDiscovery } from '../diagnosis/discovery.js'
import { dockerOrNotApplicable } from '../helpers/docker-probe.js'
import { type ComposeCli, findComposeCli } from './compose-cli.js'

/** A Docker engine, then the Compose v2 CLI: NotApplicable with the reason when either is missing. */
async function findCompose(): Promise<ComposeCli> {
  await dockerOrNotApplicable()
  return findComposeCli()
}

/**
 * A Docker engine with the Compose v2 CLI as a service, for tests that bring compose files up:
 * `requires_compose` skips them with the reason where either is missing (or fails them where required).
 */
export function composeCli(): ServiceDefinition<ComposeCli> {
  return defineService<ComposeCli>({
    name: 'compose',
    description: 'Docker Compose v2',
    providers: [
      {
        kind: 'env',
        async start() {
          const cli = await findCompose()
          return { connection: cli, detail: `Compose ${cli.version}` }
        },
        diagnose: () =>
          diagnoseDiscovery(findCompose, (cli) => ({
            applicable: true,
            reason: `the Docker engine answers; Compose ${cli.version}`,
            found: { compose: `${cli.command.join(' ')} ${cli.version}` },
          })),
      },
    ],
    endpoint: (cli) => cli.command.join(' '),
  })
}
