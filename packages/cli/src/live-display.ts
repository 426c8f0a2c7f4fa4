// The live display of `testbed up`: one line per service (the provider being tried, elapsed time, then
// ready or failed), like `docker compose up`; on stderr, so that stdout carries only the exports.
// listr2 redraws it in a terminal and falls back to plain lines, one per event, when stderr is not one.
import type { ServiceHub, ServiceStatus } from '@testbed/core/config'
import { Listr, ListrLogger, ProcessOutput } from 'listr2'

/** A settled service as the display (and the background process's relay) needs it: no connection, no env. */
export interface SettledService {
  name: string
  state: ServiceStatus['state']
  provider?: string
  endpoint?: string
  detail?: string
  emulated?: string
  startMs?: number
  reason?: string
}

type HubEvent = Parameters<Parameters<ServiceHub['on']>[0]>[0]

export type ServiceEvent =
  | Exclude<HubEvent, { type: 'settled' }>
  | { type: 'settled'; status: SettledService }

export function settledOf(status: ServiceStatus): SettledService {
  if (status.state !== 'ready') return { name: status.name, state: status.state, reason: status.reason }
  const { name, state, provider, endpoint, detail, emulated, startMs } = status
  return { name, state, provider, endpoint, detail, emulated, startMs }
}

/** A hub event with nothing secret in it (a settled status without its connection and env). */
export const displayEvent = (event: HubEvent): ServiceEvent =>
  event.type === 'settled' ? { type: 'settled', status: settledOf(event.status) } : event

interface Line {
  /** Events not yet shown. */
  queue: ServiceEvent[]
  provider?: string
  since: number
  settled?: SettledService
  wake?: () => void
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

export class LiveDisplay {
  private readonly lines = new Map<string, Line>()
  private readonly width: number
  readonly done: Promise<void>

  constructor(services: readonly string[], stream: NodeJS.WriteStream = process.stderr) {
    this.width = Math.max(...services.map((s) => s.length))
    for (const service of services) this.lines.set(service, { queue: [], since: performance.now() })
    const live = Boolean(stream.isTTY)
    const logger = new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(stream, stream) })
    const listr = new Listr(
      services.map((service) => ({
        title: this.title(service, 'starting'),
        task: (_: unknown, task: { title: string; output: string }) => this.follow(service, task, live),
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        renderer: 'default',
        rendererOptions: { logger, collapseErrors: false },
        fallbackRenderer: 'simple',
        fallbackRendererOptions: { logger },
        fallbackRendererCondition: !live,
        // listr2 asks whether stdout is a terminal; the display is on stderr (stdout: the exports).
        forceTTY: live,
      },
    )
    this.done = listr.run().then(() => {})
  }

  private title(service: string, text: string): string {
    return `${service.padEnd(this.width)}  ${text}`
  }

  handle(event: ServiceEvent): void {
    const service = event.type === 'settled' ? event.status.name : event.service
    const line = this.lines.get(service)
    if (!line) return
    if (event.type === 'starting') {
      line.provider = event.provider
      line.since = performance.now()
    }
    if (event.type === 'settled') line.settled = event.status
    line.queue.push(event)
    const wake = line.wake
    line.wake = undefined
    wake?.()
  }

  /** Ends the display: every service not settled yet is shown as not had, for `reason`. */
  close(reason: string): Promise<void> {
    for (const [name] of this.lines)
      if (!this.lines.get(name)?.settled)
        this.handle({ type: 'settled', status: { name, state: 'unavailable', reason } })
    return this.done
  }

  /** Shows one service until it settles: its provider and elapsed time, ticking in a terminal. */
  private async follow(service: string, task: { title: string; output: string }, live: boolean) {
    const line = this.lines.get(service) as Line
    const began = performance.now()
    const show = () => {
      if (line.provider)
        task.title = this.title(
          service,
          `${line.provider}${live ? `  ${seconds(performance.now() - line.since)}` : ''}`,
        )
    }
    const tick = live ? setInterval(show, 200) : undefined
    try {
      for (;;) {
        for (const event of line.queue.splice(0)) {
          if (event.type === 'starting') {
            show()
            if (!live) task.output = `${service}: trying ${event.provider}`
          } else if (event.type === 'progress')
            task.output = `${service}: ${event.provider}: ${event.message}`
        }
        if (line.settled) break
        show()
        await new Promise<void>((resolve) => {
          line.wake = resolve
        })
      }
    } finally {
      if (tick) clearInterval(tick)
    }
    const settled = line.settled as SettledService
    if (settled.state !== 'ready') {
      task.title = this.title(service, 'failed')
      throw new Error(settled.reason ?? `${service} ${settled.state}`)
    }
    const took = seconds(settled.startMs ?? performance.now() - began)
    const what = settled.emulated ? `${settled.provider}, ${settled.emulated}` : settled.provider
    task.title = this.title(service, `ready via ${what} in ${took}  ${settled.endpoint ?? ''}`.trimEnd())
  }
}
