import { request } from 'node:http'

/** A started container Testbed can restart in place: testcontainers' `StartedTestContainer` is one. */
export interface RestartableContainer {
  getId(): string
}

/**
 * `docker restart` through the engine's API on its local socket: `stopSeconds` to stop cleanly,
 * then started again with the same ports. Not testcontainers' `restart()`: its wait for a log line
 * after the restart misses a line written within the instant the container starts (Redis's), and
 * waits out its whole timeout; the hub's readiness probe says when the service is back.
 */
export function restartContainer(socketPath: string, id: string, stopSeconds = 10): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'POST',
        path: `/containers/${encodeURIComponent(id)}/restart?t=${stopSeconds}`,
        headers: { host: 'docker' },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () =>
          res.statusCode === 204
            ? resolve()
            : reject(
                new Error(`the Docker engine answered ${res.statusCode} to restarting ${id}: ${text.trim()}`),
              ),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** A port for testcontainers' `withExposedPorts`: the container's own, or it bound to a host port. */
export type PublishedPort = number | { container: number; host: number }

/**
 * How a container provider publishes its ports: `publish(5432)` goes into `withExposedPorts`.
 * On a local engine each port is bound to a host port chosen free here, so the container keeps its
 * endpoint when restarted (with Docker choosing, `docker restart` may publish it elsewhere). On a
 * remote engine a free port here says nothing about that host: Docker chooses, and the container
 * cannot be restarted.
 */
export class ContainerPorts {
  private dockerChose = false
  private published = 0

  constructor(
    private readonly localEngine: boolean,
    private readonly freePort: () => Promise<number>,
  ) {}

  async publish(containerPort: number): Promise<PublishedPort> {
    this.published++
    if (!this.localEngine) {
      this.dockerChose = true
      return containerPort
    }
    return { container: containerPort, host: await this.freePort() }
  }

  /** Why a restart would move the container's endpoint, or undefined when it would not. */
  whyNotRestartable(container: object): string | undefined {
    if (typeof (container as Partial<RestartableContainer>).getId !== 'function')
      return 'the provider gave back no container that can restart'
    if (this.dockerChose)
      return 'its Docker engine is remote, so Docker chose its host ports and may publish a restarted container on others'
    if (!this.published)
      return 'its provider did not publish its ports through ctx.startContainer, so Docker may publish a restarted container on other host ports'
    return undefined
  }
}
