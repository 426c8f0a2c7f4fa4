// The background process of `testbed up --detach`: it holds the services' hub (so their servers,
// containers and emulators live as long as it does), serves the control endpoint, and writes the
// state file once every service is ready. Started detached, in its own session, its output going to
// .testbed/up.log; until ready it relays the hub's events to the command over IPC.
// SIGTERM, SIGINT or `POST /down`: everything stopped, the state file removed, exit.
import {
  checkoutOf,
  readState,
  removeState,
  type ServiceHub,
  STATE_FILE,
  type UpState,
  writeState,
} from '@testbed/core/config'
import { mergedEnv } from '../exports-format.js'
import { loadConfig } from '../load-config.js'
import { failureLines, hubOf, provision, upService } from '../provision.js'
import { ControlServer } from './control-server.js'
import type { HolderMessage, HoldRequest } from './messages.js'

const request = JSON.parse(process.argv[2] ?? '{}') as HoldRequest
const send = (message: HolderMessage) => {
  if (process.connected) process.send?.(message)
}
/** To the log: what happened, never a secret (endpoints are redacted, exports are not written). */
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`)

let hub: ServiceHub | undefined
let server: ControlServer | undefined
let root: string | undefined
let ready = false
let stopping: Promise<void> | undefined

function stop(why: string, code = 0): Promise<void> {
  stopping ??= (async () => {
    log(`stopping (${why})`)
    try {
      // Only our own file: another `up` may have written one since.
      if (root && (await readState(root).catch(() => undefined))?.pid === process.pid) await removeState(root)
      await hub?.stopAll()
    } catch (error) {
      log(`not everything stopped cleanly: ${(error as Error).message}`)
      code ||= 1
    }
    await server?.close()
    log('stopped')
    process.exit(code)
  })()
  return stopping
}

process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('SIGINT', () => void stop('SIGINT'))
// The command went away before the services were ready (killed): nothing is to be left behind.
process.on('disconnect', () => {
  if (!ready) void stop('the testbed up command went away before the services were ready', 1)
})
process.on('uncaughtException', (error) => {
  log(`internal error: ${error.stack ?? error.message}`)
  void stop('internal error', 1)
})

async function hold(): Promise<void> {
  log(`pid ${process.pid}: starting ${request.services.join(', ')}`)
  const loaded = await loadConfig(request.cwd, request.config)
  root = loaded.root
  if (stopping) return
  hub = hubOf(loaded, (event) => {
    if (event.type === 'starting') log(`${event.service}: trying ${event.provider}`)
    if (event.type === 'progress') log(`${event.service}: ${event.provider}: ${event.message}`)
    if (event.type === 'settled')
      log(
        event.status.state === 'ready'
          ? `${event.status.name}: ready via ${event.status.provider} at ${event.status.endpoint}`
          : `${event.status.name}: ${event.status.state}: ${event.status.reason}`,
      )
    send({ type: 'event', event })
  })
  const { ready: statuses, failed } = await provision(hub, request.services)
  if (stopping) return
  if (failed.length) {
    log(`could not have every service:\n${failureLines(failed)}`)
    send({ type: 'failed', failed: failed.map((s) => ({ name: s.name, state: s.state, reason: s.reason })) })
    return stop('a service could not be had', 1)
  }
  const startedAt = new Date().toISOString()
  const control = new ControlServer(
    () => ({
      pid: process.pid,
      checkout: state.checkout,
      startedAt,
      services: state.services.map(({ name, provider, endpoint, since }) => ({
        name,
        provider,
        endpoint,
        since,
      })),
    }),
    () => void stop('POST /down'),
  )
  server = control
  const url = await control.listen()
  const state: UpState = {
    version: 1,
    checkout: await checkoutOf(loaded.root),
    pid: process.pid,
    control: { url, token: control.token },
    startedAt,
    services: statuses.map((s) => upService(hub as ServiceHub, s, startedAt)),
  }
  if (stopping) return
  await writeState(loaded.root, state)
  ready = true
  log(`ready: ${STATE_FILE} written; control endpoint ${url}`)
  send({ type: 'ready', env: mergedEnv(statuses), pid: process.pid })
}

hold().catch((error: Error) => {
  log(`failed: ${error.message}`)
  send({ type: 'error', message: error.message })
  void stop('failed', 1)
})
