// One compose file brought up once per run, shared by every plugin that maps a service of it, and
// brought down (volumes included) when the last of them is released, or by the reaper on a crash.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import type * as Testcontainers from 'testcontainers'
import type { StartedDockerComposeEnvironment, StartedTestContainer, WaitStrategy } from 'testcontainers'
import { NotApplicable } from '../../shared/errors.js'
import type { ProviderDiagnosis } from '../define-service.js'
import { diagnoseDiscovery } from '../diagnosis/discovery.js'
import { dockerEngineInfo, dockerHasImage } from '../diagnosis/docker-engine-info.js'
import type { ProviderContext } from '../provider-context.js'
import { type ComposeCli, findComposeCli } from './compose-cli.js'

export interface ComposeStackOptions {
  /** The compose file (`docker-compose.test.yml`), relative to the working directory. */
  file: string
  /** The project name's prefix; the run id follows it. Default `testbed`. */
  project?: string
  /** A standalone Compose v2 binary, instead of the `docker compose` plugin. Also TESTBED_COMPOSE_EXECUTABLE. */
  executable?: string
  /** Variables for the file's `${…}` interpolation, on top of this process's environment. */
  env?: Record<string, string>
  /** How long each service may take to be healthy (or to listen, without a healthcheck). Default 120 s. */
  startupTimeoutMs?: number
}

/** A service of the stack, once it is up: what a plugin needs to make its connection. */
export interface ComposeServiceEndpoint {
  /** The compose service's name. */
  service: string
  project: string
  /** The host its published ports are on. */
  host: string
  /** The host port published for this container port; throws, naming the service, when none is. */
  port(containerPort: number): number
  /** The container's environment (`POSTGRES_PASSWORD`, …), as the compose file set it. */
  environment: Record<string, string>
  image: string
}

/** A service of a compose file, for a plugin's `compose` option: `postgres({ compose: stack.service('db') })`. */
export interface ComposeServiceRef {
  /** The compose file, as configured. */
  file: string
  service: string
  /** Brings the stack up (once per run) and finds the service. Its release brings the stack down. */
  start(ctx: ProviderContext): Promise<ComposeServiceEndpoint>
  /** For `testbed doctor`: the engine, the Compose CLI, the file, the service's image; starts nothing. */
  diagnose?(signal: AbortSignal): Promise<ProviderDiagnosis>
}

export interface ComposeStack {
  file: string
  service(name: string): ComposeServiceRef
}

let stacks = 0

/** Unique per stack and run: two runs, or two files of one run, never share a project. */
function projectName(prefix: string, runId: string, stack: number): string {
  return `${prefix}-${runId}-${stack}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-')
}

/** A compose file for the run: map its services to plugins with `stack.service(name)`. */
export function composeStack(options: ComposeStackOptions): ComposeStack {
  const path = resolve(options.file)
  const stack = ++stacks
  let up: Promise<StartedDockerComposeEnvironment> | undefined
  let project = ''
  let users = 0
  let unguard: (() => void) | undefined

  async function start(ctx: ProviderContext, cli: ComposeCli): Promise<StartedDockerComposeEnvironment> {
    project = projectName(options.project ?? 'testbed', ctx.runId, stack)
    unguard = ctx.reapComposeProject(project, cli.command)
    ctx.progress(`compose up ${options.file} (project ${project})`)
    const testcontainers = await import('testcontainers')
    const environment = new testcontainers.DockerComposeEnvironment(dirname(path), basename(path))
      .withProjectName(project)
      .withDefaultWaitStrategy(serviceWait(testcontainers))
      .withEnvironment(options.env ?? {})
      .withStartupTimeout(options.startupTimeoutMs ?? 120_000)
    if (cli.standalone)
      environment.withClientOptions({ executable: { standalone: true, executablePath: cli.standalone } })
    return environment.up()
  }

  async function release(): Promise<void> {
    users -= 1
    if (users > 0 || !up) return
    const started = up
    up = undefined
    try {
      // A failed `up` was brought down by testcontainers already.
      const environment = await started.catch(() => undefined)
      await environment?.down({ removeVolumes: true, timeout: 0 })
    } finally {
      unguard?.()
    }
  }

  /** What bringing the file up needs: an engine (`docker` waits for it), the Compose v2 CLI, the file. */
  async function prerequisites(docker: () => Promise<unknown>): Promise<ComposeCli> {
    await docker()
    const cli = await findComposeCli(options.executable)
    if (!existsSync(path)) throw new Error(`compose file ${options.file} not found (looked for ${path})`)
    return cli
  }

  const engineForDiagnosis = () =>
    dockerEngineInfo().catch((error: Error) => {
      throw new NotApplicable(error.message)
    })

  async function diagnose(service: string, signal: AbortSignal): Promise<ProviderDiagnosis> {
    return diagnoseDiscovery(
      () => prerequisites(engineForDiagnosis),
      async (cli) => {
        const found: Record<string, string> = {
          compose: `${cli.command.join(' ')} ${cli.version}`,
          file: path,
        }
        const image = await serviceImage(cli, path, service, options.env, signal).catch(
          (error: Error) => error,
        )
        if (image instanceof Error)
          return {
            applicable: true,
            reason: 'the Docker engine and Compose answer',
            found,
            problem: image.message,
          }
        if (!image) {
          found.image = 'built from the file (its build: section)'
          return {
            applicable: true,
            reason: `the Docker engine and Compose answer; ${options.file} has ${service}`,
            found,
          }
        }
        const local = await dockerHasImage(image).catch(() => undefined)
        found.image = `${image}${local === undefined ? '' : local ? ' (local)' : ' (not local)'}`
        return {
          applicable: true,
          reason: `the Docker engine and Compose answer; ${options.file} has ${service}${local === false ? `, whose image ${image} is not local: starting pulls it` : ''}`,
          found,
        }
      },
    )
  }

  return {
    file: options.file,
    service: (service) => ({
      file: options.file,
      service,
      diagnose: (signal) => diagnose(service, signal),
      async start(ctx) {
        const cli = await prerequisites(() => ctx.docker())
        users += 1
        ctx.onRelease(release)
        up ??= start(ctx, cli)
        const started = await up.catch((error: Error) => {
          throw new Error(`compose up ${options.file}: ${error.message.trim()}`)
        })
        let container: StartedTestContainer
        try {
          container = started.getContainer(`${service}-1`)
        } catch {
          throw new Error(await notRunning(options.file, project, service, cli))
        }
        return endpointOf(service, container)
      },
    }),
  }
}

/**
 * testcontainers' own choice (the healthcheck when the service has one, else its listening ports), with
 * failures that name the service: "Health check failed: unhealthy" alone does not say whose.
 */
function serviceWait(testcontainers: typeof Testcontainers): WaitStrategy {
  let timeoutMs: number | undefined
  const strategy: WaitStrategy = {
    async waitUntilReady(container, boundPorts, startTime) {
      const { Config } = await container.inspect()
      const service = Config.Labels?.['com.docker.compose.service'] ?? 'unknown'
      const test = Config.Healthcheck?.Test
      const inner =
        test?.length && test[0] !== 'NONE'
          ? testcontainers.Wait.forHealthCheck()
          : testcontainers.Wait.forListeningPorts()
      if (timeoutMs !== undefined) inner.withStartupTimeout(timeoutMs)
      try {
        await inner.waitUntilReady(container, boundPorts, startTime)
      } catch (error) {
        throw new Error(`compose service "${service}": ${(error as Error).message}`)
      }
    },
    withStartupTimeout(ms) {
      timeoutMs = ms
      return strategy
    },
    isStartupTimeoutSet: () => timeoutMs !== undefined,
    getStartupTimeout: () => timeoutMs ?? 60_000,
  }
  return strategy
}

/** Why a service has no running container: not in the file, or exited (with the end of its log). */
async function notRunning(file: string, project: string, service: string, cli: ComposeCli): Promise<string> {
  const [program = 'docker', ...args] = cli.command
  const output = (extra: string[]) =>
    new Promise<string>((resolve) =>
      execFile(program, [...args, '-p', project, ...extra], { timeout: 10_000 }, (_, stdout, stderr) =>
        resolve(`${stdout}${stderr}`.trim()),
      ),
    )
  const state = await output(['ps', '--all', '--format', '{{.State}} {{.Status}}', service])
  if (!state || /no such service/i.test(state))
    return `compose file ${file} has no running service "${service}"`
  const log = (await output(['logs', '--no-log-prefix', '--tail', '5', service]))
    .split('\n')
    .slice(-5)
    .join(' | ')
  return `compose service "${service}" is not running (${state})${log ? `: ${log}` : ''}`
}

async function endpointOf(service: string, container: StartedTestContainer): Promise<ComposeServiceEndpoint> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const client = await getContainerRuntimeClient()
  const inspected = await client.container.inspect(client.container.getById(container.getId()))
  const environment = Object.fromEntries(
    (inspected.Config.Env ?? []).map((entry) => {
      const equals = entry.indexOf('=')
      return [entry.slice(0, equals), entry.slice(equals + 1)]
    }),
  )
  const project = container.getLabels()['com.docker.compose.project'] ?? ''
  return {
    service,
    project,
    host: container.getHost(),
    port(containerPort) {
      try {
        return container.getMappedPort(containerPort)
      } catch {
        throw new Error(
          `compose service "${service}" publishes no port for ${containerPort} (add \`ports: ["${containerPort}"]\`)`,
        )
      }
    },
    environment,
    image: inspected.Config.Image,
  }
}

/**
 * The image `service` runs, as `compose config` resolves the file (interpolation included), or
 * undefined when the file builds it; nothing starts.
 */
function serviceImage(
  cli: ComposeCli,
  file: string,
  service: string,
  env: Record<string, string> | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  const [program = 'docker', ...args] = cli.command
  return new Promise((resolve, reject) => {
    execFile(
      program,
      [...args, '-f', file, 'config', '--format', 'json'],
      { signal, timeout: 10_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error)
          return reject(
            new Error(`compose config ${file}: ${(stderr.trim() || error.message).split('\n')[0]}`),
          )
        const config = JSON.parse(stdout) as {
          services?: Record<string, { image?: string; build?: unknown }>
        }
        const entry = config.services?.[service]
        if (!entry) return reject(new Error(`compose file ${file} has no service "${service}"`))
        resolve(entry.image)
      },
    )
  })
}
