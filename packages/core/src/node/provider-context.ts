import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import type { ServerProcess, SpawnServerOptions } from './helpers/child-process.js'
import { type DockerEngine, dockerOrNotApplicable, probeDocker } from './helpers/docker-probe.js'
import { assertPortFree, freePort } from './helpers/free-port.js'
import { makeTempDir } from './helpers/temp-dir.js'
import type { Reaper } from './reaper.js'
import { ContainerPorts, type RestartableContainer, restartContainer } from './restartable-container.js'
import { RestartableServer } from './restartable-server.js'

/** What a provider may use. Everything it acquires through here is released by `release()`. */
export interface ProviderContext {
  service: string
  /** Unique per run; containers carry it as the `testbed.run` label. */
  runId: string
  progress(message: string): void
  /** A temp dir released with the attempt; `{ memory: true }` prefers RAM (a server's data dir). */
  tempDir(options?: { memory?: boolean }): Promise<string>
  /** `fixed` once nothing listens there (else a plain error), or a free port. */
  port(fixed?: number): Promise<number>
  /** A random credential for a server Testbed starts (`tb-…`); never printed. */
  secret(): string
  spawnServer(command: string, args: string[], options?: SpawnServerOptions): Promise<ServerProcess>
  /** The Docker engine after a bounded probe; throws NotApplicable when none answers. */
  docker(): Promise<DockerEngine>
  containerLabels: Record<string, string>
  /**
   * Starts a container once a Docker engine answered (NotApplicable otherwise): `start` builds and
   * starts it with testcontainers (imported by the plugin, lazily), passing each port it publishes
   * through `ports.publish(port)` to `withExposedPorts`, so that a restart keeps the endpoint. Labels
   * it for the reaper, names the image in any failure, and stops it on release.
   */
  startContainer<T extends { stop(): Promise<unknown> }>(
    image: string,
    start: (labels: Record<string, string>, ports: ContainerPorts) => Promise<T>,
  ): Promise<T>
  /** Registers something with a `stop()` (a started container) for release. */
  hold(resource: { stop(): Promise<unknown> }): void
  onRelease(fn: () => Promise<void> | void): void
  /**
   * Has the reaper bring a compose project down (`<command> -p <project> down --volumes`) should this
   * process die before it does. A project outlives the attempt that started it (plugins share it):
   * the returned function takes it back once the project is down.
   */
  reapComposeProject(project: string, command: string[]): () => void
}

const dockerProbes = new Map<string, Promise<DockerEngine>>()

/** One probe per engine address per run: every container provider shares its answer. */
function dockerOnce(): Promise<DockerEngine> {
  const key = process.env.DOCKER_HOST ?? ''
  let probe = dockerProbes.get(key)
  if (!probe) {
    probe = probeDocker().then((engine) => {
      // No Ryuk image can be had here, and Testbed's own reaper removes labelled containers.
      process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true'
      // A local engine publishes ports on this host; without this, testcontainers inside a container
      // (as CI often is) pulls an alpine image just to find the bridge gateway.
      if (engine.socketPath) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost'
      return engine
    })
    dockerProbes.set(key, probe)
  }
  return dockerOrNotApplicable(probe)
}

export const runId = `${process.pid}-${Date.now().toString(36)}`

/** The resources of one provider attempt, released in reverse order. */
export class AttemptScope implements ProviderContext {
  readonly runId = runId
  readonly containerLabels = { 'testbed.run': runId }
  private releases: Array<() => Promise<void> | void> = []
  private readonly servers: RestartableServer[] = []
  /** The containers this attempt started that can restart in place, with their engine's socket. */
  private readonly containers: Array<{ id: string; socketPath: string }> = []
  /** Why a container this attempt started cannot be restarted in place. */
  private containerNotRestartable: string | undefined

  constructor(
    readonly service: string,
    readonly progress: (message: string) => void,
    private readonly reaper: Reaper,
  ) {}

  /** Rejects when any server this attempt spawned exits: readiness stops waiting then. */
  serverExit(): Promise<never> | undefined {
    return this.servers.length ? Promise.race(this.servers.map((s) => s.current.exited)) : undefined
  }

  /**
   * Why `restartServers` cannot restart what this attempt started with its endpoints unchanged, or
   * undefined when it can: it spawned server processes or started containers, all restartable.
   */
  get whyNotRestartable(): string | undefined {
    if (this.containerNotRestartable) return this.containerNotRestartable
    if (!this.servers.length && !this.containers.length) return 'nothing'
    return undefined
  }

  /** Stops every server process and container this attempt started and starts each again, in order. */
  async restartServers(): Promise<void> {
    for (const server of this.servers) await server.restart()
    // Ten seconds to stop cleanly, as `docker stop` gives: a killed server would recover, not restart.
    for (const { id, socketPath } of this.containers) await restartContainer(socketPath, id, 10)
  }

  async tempDir(options: { memory?: boolean } = {}): Promise<string> {
    const dir = await makeTempDir(this.service, options.memory)
    this.reaper.hold('dir', dir)
    this.onRelease(async () => {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 })
      this.reaper.release('dir', dir)
    })
    return dir
  }

  async port(fixed?: number): Promise<number> {
    if (!fixed) return freePort()
    await assertPortFree(fixed)
    return fixed
  }

  secret(): string {
    return `tb-${randomBytes(12).toString('hex')}`
  }

  async spawnServer(command: string, args: string[], options?: SpawnServerOptions): Promise<ServerProcess> {
    const server = await RestartableServer.spawn(command, args, options, this.reaper)
    this.servers.push(server)
    this.onRelease(() => server.stop())
    return server.current
  }

  async docker(): Promise<DockerEngine> {
    const engine = await dockerOnce()
    // Containers carry the run's label; the reaper removes them all if this process dies.
    if (engine.socketPath)
      this.reaper.hold('container', `testbed.run=${runId}`, { dockerSocket: engine.socketPath })
    return engine
  }

  async startContainer<T extends { stop(): Promise<unknown> }>(
    image: string,
    start: (labels: Record<string, string>, ports: ContainerPorts) => Promise<T>,
  ): Promise<T> {
    const engine = await this.docker()
    this.progress(`starting ${image}`)
    const ports = new ContainerPorts(Boolean(engine.socketPath), freePort)
    const container = await start(this.containerLabels, ports).catch((error: Error) => {
      throw new Error(`${image}: ${error.message.trim()}`)
    })
    this.hold(container)
    const why = ports.whyNotRestartable(container)
    if (why || !engine.socketPath) this.containerNotRestartable ??= why
    else
      this.containers.push({
        id: (container as unknown as RestartableContainer).getId(),
        socketPath: engine.socketPath,
      })
    return container
  }

  reapComposeProject(project: string, command: string[]): () => void {
    this.reaper.hold('compose', project, { command })
    return () => this.reaper.release('compose', project)
  }

  hold(resource: { stop(): Promise<unknown> }): void {
    this.onRelease(async () => {
      await resource.stop()
    })
  }

  onRelease(fn: () => Promise<void> | void): void {
    this.releases.push(fn)
  }

  async release(): Promise<void> {
    const errors: unknown[] = []
    for (const fn of this.releases.reverse()) {
      try {
        await fn()
      } catch (error) {
        errors.push(error)
      }
    }
    this.releases = []
    if (errors.length)
      throw new AggregateError(errors, `${this.service}: could not release: ${errors.map(String).join('; ')}`)
  }
}
