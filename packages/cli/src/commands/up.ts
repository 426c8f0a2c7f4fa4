// `testbed up [service…] [--pipeline NAME] [--format F] [--detach]`: starts and provisions services as
// a test run does, shows each one live, prints their exports, then holds them: in the foreground until
// Ctrl-C or SIGTERM, or (--detach) in a background process until `testbed down`.
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { removeState, statePath } from '@testbed/core/config'
import { CliError } from '../cli-error.js'
import { type ExportFormat, mergedEnv, writeExports } from '../exports-format.js'
import type { HolderMessage, HoldRequest } from '../holder/messages.js'
import { LiveDisplay, type SettledService } from '../live-display.js'
import { type LoadedConfig, loadConfig } from '../load-config.js'
import { failureLines, hubOf, provision } from '../provision.js'
import { selectServices } from '../service-selection.js'
import { takeStartLock } from '../start-lock.js'
import { describeUp, upRecord } from '../up-record.js'

export interface UpOptions {
  cwd: string
  config?: string
  pipeline?: string
  format: ExportFormat
  detach: boolean
}

/** Exit status of a start interrupted by Ctrl-C or SIGTERM (128 + SIGINT), as a shell reports it. */
const INTERRUPTED = 130
const say = (line: string) => process.stderr.write(`testbed: ${line}\n`)

/**
 * Resolves with the first of SIGINT or SIGTERM received from now on; `dispose` stops listening. The
 * listener stays until then (not `once`): a library's own handler (signal-exit, which testcontainers
 * brings) re-raises the signal, killing the process mid-teardown, once it sees it is the only one left.
 */
function nextSignal(): { received: Promise<NodeJS.Signals>; dispose: () => void } {
  let dispose = () => {}
  const received = new Promise<NodeJS.Signals>((resolve) => {
    let received = false
    const on = (signal: NodeJS.Signals) => {
      // A second Ctrl-C does not wait for the teardown: Testbed's reaper removes what is left.
      if (received) {
        say(`${signal} again: exiting now; what was not stopped yet is removed by Testbed's reaper`)
        process.exit(INTERRUPTED)
      }
      received = true
      resolve(signal)
    }
    process.on('SIGINT', on)
    process.on('SIGTERM', on)
    dispose = () => {
      process.off('SIGINT', on)
      process.off('SIGTERM', on)
    }
  })
  return { received, dispose }
}

export async function runUp(services: string[], options: UpOptions): Promise<number> {
  const loaded = await loadConfig(options.cwd, options.config)
  const names = await selectServices(loaded, services, options.pipeline)
  if (!names.length)
    throw new CliError(`pipeline '${options.pipeline}' needs no service: there is nothing to start`)
  if (options.format === 'github' && !process.env.GITHUB_ENV?.trim())
    throw new CliError(
      '--format github appends to $GITHUB_ENV, which is not set (it is set in a GitHub Actions step)',
    )
  if (options.detach) {
    const release = takeStartLock(loaded.root)
    try {
      return await startDetached(loaded, names, options)
    } finally {
      release()
    }
  }
  // A corrupt state file is reported before anything starts, in the foreground too.
  await upRecord(loaded.root)
  return foreground(loaded, names, options)
}

/** Under the start lock: refuses when one is running, cleans a stale record, starts the background process. */
async function startDetached(loaded: LoadedConfig, names: string[], options: UpOptions): Promise<number> {
  const record = await upRecord(loaded.root)
  if (record.kind === 'live')
    throw new CliError(
      `testbed up is already running for this checkout (${describeUp(record.state)}): testbed down stops it`,
    )
  if (record.kind === 'stale') {
    await removeState(loaded.root)
    say(`removed the stale ${relative(options.cwd, record.file) || record.file}: ${record.why}`)
  }
  return detached(loaded, names, options)
}

async function foreground(loaded: LoadedConfig, names: string[], options: UpOptions): Promise<number> {
  const display = new LiveDisplay(names)
  const hub = hubOf(loaded, (event) => display.handle(event))
  const interrupt = nextSignal()
  let interrupted: NodeJS.Signals | undefined
  void interrupt.received.then((signal) => {
    interrupted = signal
    say(`${signal}: stopping what is starting…`)
  })
  try {
    const { ready, failed } = await provision(hub, names)
    await display.done
    if (interrupted) {
      await hub.stopAll()
      say(`interrupted (${interrupted}) while starting: everything that started was stopped`)
      return INTERRUPTED
    }
    if (failed.length) {
      await hub.stopAll()
      say(`could not start every service, so none was kept:\n${failureLines(failed)}`)
      return 1
    }
    await writeExports(mergedEnv(ready), options.format)
    say(`holding ${names.join(', ')}: Ctrl-C stops them (testbed up --detach leaves them running instead)`)
    // Containers and emulators hold no handle of this process: without one, Node would exit here.
    const holding = setInterval(() => {}, 2 ** 30)
    const signal = await interrupt.received.finally(() => clearInterval(holding))
    say(`${signal}: stopping ${names.join(', ')}…`)
    await hub.stopAll()
    say('stopped')
    return 0
  } catch (error) {
    await hub.stopAll().catch(() => {})
    throw error
  } finally {
    interrupt.dispose()
  }
}

const holderMain = fileURLToPath(new URL('../holder/main.js', import.meta.url))

async function detached(loaded: LoadedConfig, names: string[], options: UpOptions): Promise<number> {
  const log = join(dirname(statePath(loaded.root)), 'up.log')
  mkdirSync(dirname(log), { recursive: true })
  const fd = openSync(log, 'w', 0o600)
  const request: HoldRequest = { cwd: options.cwd, config: options.config, services: names }
  const child = spawn(process.execPath, [holderMain, JSON.stringify(request)], {
    cwd: loaded.root,
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
  })
  closeSync(fd)
  const logName = relative(options.cwd, log) || log
  const display = new LiveDisplay(names)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    // Could not be spawned at all: reported as an exit before the services were ready.
    child.once('error', () => resolve(null))
  })
  const interrupt = nextSignal()
  type Outcome =
    | { kind: 'ready'; env: Record<string, string>; pid: number }
    | { kind: 'failed'; failed: SettledService[] }
    | { kind: 'error'; message: string }
    | { kind: 'exited'; code: number | null }
    | { kind: 'interrupted'; signal: NodeJS.Signals }
  const outcome = await new Promise<Outcome>((resolve) => {
    child.on('message', (message: HolderMessage) => {
      if (message.type === 'event') display.handle(message.event)
      else if (message.type === 'ready') resolve({ kind: 'ready', env: message.env, pid: message.pid })
      else if (message.type === 'failed') resolve({ kind: 'failed', failed: message.failed })
      else resolve({ kind: 'error', message: message.message })
    })
    void exited.then((code) => resolve({ kind: 'exited', code }))
    void interrupt.received.then((signal) => resolve({ kind: 'interrupted', signal }))
  })
  interrupt.dispose()
  if (outcome.kind === 'ready') {
    child.disconnect()
    child.unref()
    await display.done
    await writeExports(outcome.env, options.format)
    say(
      `${names.join(', ')} running in the background (pid ${outcome.pid}; log ${logName}): testbed status shows them, testbed down stops them`,
    )
    return 0
  }
  if (outcome.kind === 'interrupted') {
    say(`${outcome.signal}: stopping what is starting…`)
    child.kill('SIGTERM')
  }
  // The background process tears everything down before it exits; nothing is left once it has.
  await exited
  await display.close(
    outcome.kind === 'interrupted' ? `interrupted (${outcome.signal})` : 'the background process stopped',
  )
  switch (outcome.kind) {
    case 'interrupted':
      say(`interrupted (${outcome.signal}) while starting: everything that started was stopped`)
      return INTERRUPTED
    case 'failed':
      say(`could not start every service, so none was kept:\n${failureLines(outcome.failed)}`)
      return 1
    case 'error':
      throw new CliError(outcome.message)
    default:
      throw new CliError(
        `the background process exited (code ${outcome.code}) before its services were ready; see ${logName}`,
      )
  }
}
