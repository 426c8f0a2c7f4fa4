import { type ParseArgsOptionsConfig, parseArgs } from 'node:util'

/** What every emulator CLI accepts besides its own flags. */
const addressOptions = { port: { type: 'string' }, host: { type: 'string' } } as const

type CliOptions<Options extends ParseArgsOptionsConfig> = Options & typeof addressOptions

/** The flags as `node:util` `parseArgs` gives them: a string, a boolean or (`multiple`) an array each. */
export type EmulatorCliValues<Options extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: CliOptions<Options>; strict: true; allowPositionals: false }>
>['values']

export interface EmulatorCliAddress {
  /** `--port`, checked: 0 (a free port) unless given. */
  port: number
  /** `--host`, as given. */
  host: string | undefined
}

export interface RunningEmulator {
  url: string
  close(): Promise<void>
}

export interface EmulatorCliSpec<
  Options extends ParseArgsOptionsConfig,
  Config,
  Emulator extends RunningEmulator,
> {
  /** The command's name, as the usage line shows it: `testbed-s3-emulator`. */
  command: string
  /** Who it emulates, in `cannot start the <service> emulator: …`: `S3`. */
  service: string
  /** The usage of `options`, after `[--port N] [--host H]`: `[--token T]`. */
  usage: string
  /** The flags besides `--port` and `--host`, in `parseArgs` form. */
  options: Options
  /** The emulator's settings from the flags (and the environment). Throw to refuse them: exit 2. */
  configure(values: EmulatorCliValues<Options>, address: EmulatorCliAddress): Config
  /** Starts the emulator. A rejection ends the process with exit 1. */
  start(config: Config): Promise<Emulator>
}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

/**
 * A standalone emulator's process: reads its flags (`--port N`, `--host H` and the spec's own; a bad
 * one prints the message and the usage line and exits 2), starts it (or prints `cannot start the
 * <service> emulator: <reason>` and exits 1), prints `listening on <url>` once it serves, and on
 * SIGINT or SIGTERM closes it and exits 0.
 */
export async function runEmulatorCli<
  Options extends ParseArgsOptionsConfig,
  Config,
  Emulator extends RunningEmulator,
>(spec: EmulatorCliSpec<Options, Config, Emulator>): Promise<Emulator> {
  let config: Config
  try {
    const { values } = parseArgs({
      options: { ...spec.options, ...addressOptions } as CliOptions<Options>,
      strict: true,
      allowPositionals: false,
    })
    // What the generic `Options` leaves unknown to the compiler: the two flags added to them.
    const address = values as { port?: string; host?: string }
    const port = Number(address.port ?? '0')
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port: not a port: ${address.port}`)
    config = spec.configure(values, { port, host: address.host })
  } catch (error) {
    fail(`${(error as Error).message}\nusage: ${spec.command} [--port N] [--host H] ${spec.usage}`, 2)
  }

  const emulator = await spec
    .start(config)
    .catch((error: unknown) =>
      fail(
        `cannot start the ${spec.service} emulator: ${error instanceof Error ? error.message : String(error)}`,
        1,
      ),
    )
  process.stdout.write(`listening on ${emulator.url}\n`)

  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      emulator.close().then(
        () => process.exit(0),
        (error: unknown) => fail(String(error), 1),
      )
    })
  }
  return emulator
}
