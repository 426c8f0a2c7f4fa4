import { type ServerProcess, type SpawnServerOptions, spawnServer } from './helpers/child-process.js'
import type { Reaper } from './reaper.js'

/**
 * A server process Testbed spawned, remembered with how it was started, so that it can be stopped
 * and started again with the same command, arguments (its port among them) and data directory.
 */
export class RestartableServer {
  private constructor(
    private process: ServerProcess,
    private readonly command: string,
    private readonly args: string[],
    private readonly options: SpawnServerOptions | undefined,
    private readonly reaper: Reaper,
  ) {}

  static async spawn(
    command: string,
    args: string[],
    options: SpawnServerOptions | undefined,
    reaper: Reaper,
  ): Promise<RestartableServer> {
    const server = await spawnServer(command, args, options)
    reaper.hold('process', server.pid)
    return new RestartableServer(server, command, args, options, reaper)
  }

  /** The process running now (a restart replaces it). */
  get current(): ServerProcess {
    return this.process
  }

  async stop(): Promise<void> {
    await this.process.stop()
    this.reaper.release('process', this.process.pid)
  }

  async restart(): Promise<void> {
    await this.stop()
    this.process = await spawnServer(this.command, this.args, this.options)
    this.reaper.hold('process', this.process.pid)
  }
}
