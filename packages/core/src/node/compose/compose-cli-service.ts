import { defineService, type ServiceDefinition } from '../define-service.js'
import { dockerOrNotApplicable } from '../helpers/docker-probe.js'
import { type ComposeCli, findComposeCli } from './compose-cli.js'

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
          await dockerOrNotApplicable()
          const cli = await findComposeCli()
          return { connection: cli, detail: `Compose ${cli.version}` }
        },
      },
    ],
    endpoint: (cli) => cli.command.join(' '),
  })
}
