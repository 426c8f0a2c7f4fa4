import { defineService, type ServiceDefinition } from './define-service.js'
import { dockerEngineInfo } from './diagnosis/docker-engine-info.js'
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
        async diagnose() {
          try {
            const engine = await dockerEngineInfo()
            return {
              applicable: true,
              reason: `the Docker engine at ${engine.host} answers`,
              found: { engine: `Docker ${engine.version}, API ${engine.apiVersion} (${engine.os})` },
            }
          } catch (error) {
            return { applicable: false, reason: (error as Error).message }
          }
        },
      },
    ],
    env: (engine) => ({ DOCKER_HOST: engine.host }),
    endpoint: (engine) => engine.host,
  })
}
