import { defineService, type ServiceDefinition } from './define-service.js'
import { type DockerEngine, dockerOrNotApplicable } from './helpers/docker-probe.js'

/**
 * The Docker engine as a service, for tests that drive containers themselves: `requires_docker`
 * skips them with the probe's reason where no engine answers (or fails them where it is required).
 */
export function dockerEngine(): ServiceDefinition<DockerEngine> {
  return defineService<DockerEngine>({
    name: 'docker',
    description: 'a Docker engine',
    providers: [
      {
        kind: 'env',
        async start() {
          return { connection: await dockerOrNotApplicable() }
        },
      },
    ],
    env: (engine) => ({ DOCKER_HOST: engine.host }),
    endpoint: (engine) => engine.host,
  })
}
