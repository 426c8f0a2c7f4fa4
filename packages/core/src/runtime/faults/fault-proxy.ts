import { once } from 'node:events'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { type ResolvedTarget, urlThrough } from './proxy-target.js'

/** The faults a proxy can hold, named as the reporter lists them. */
export type FaultName = 'latency' | 'bandwidth' | 'cut' | 'reset' | 'blackhole' | 'pause' | 'limit'

/** What the proxy did, for assertions that must not depend on timing. */
export interface ProxyStats {
  /** Connections accepted, in all. */
  connections: number
  /** Connections open now. */
  open: number
  /** Bytes delivered towards the target, and towards the clients. */
  bytesToTarget: number
  bytesToClient: number
  /** Bytes read and dropped while blackholed. */
  bytesDropped: number
  /** Bytes read and not yet delivered (held by `pause()`, `latency()`, `bandwidth()`). */
  bytesHeld: number
  /** Under `bandwidth()`: the ticks in which data was delivered, and the most bytes one tick of one direction carried. */
  bandwidthTicks: number
  largestTickBytes: number
}

/** `bandwidth()` delivers its budget in slices of this period. */
export const BANDWIDTH_TICK_MS = 100

interface Settings {
  latencyMs: number
  jitterMs: number
  bytesPerSecond: number
  /** 'cut' and 'reset' also refuse new connections until `restore()`: the link is down. */
  down: 'cut' | 'reset' | undefined
  blackholed: boolean
  paused: boolean
  limitBytes: number
}

const noFault = (): Settings => ({
  latencyMs: 0,
  jitterMs: 0,
  bytesPerSecond: Number.POSITIVE_INFINITY,
  down: undefined,
  blackholed: false,
  paused: false,
  limitBytes: Number.POSITIVE_INFINITY,
})

interface Chunk {
  data: Buffer
  arrivedAt: number
  /** Drawn once per chunk, so jitter never reorders a stream. */
  jitter: number
}

/** A client connection and the one it opened to the target. */
class Link {
  /** Bytes forwarded (both ways) since the connection opened or `limit()` was set. */
  counted = 0
  closed = false

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
  ) {}

  destroy(): void {
    this.closed = true
    this.client.destroy()
    this.upstream.destroy()
  }

  reset(): void {
    this.closed = true
    for (const socket of [this.client, this.upstream]) if (!socket.destroyed) socket.resetAndDestroy()
  }
}

/** One direction of a link: reads `from`, delivers to `to` as the proxy's faults allow. */
class Pipe {
  readonly queue: Chunk[] = []
  private pumping = false
  private ended = false
  private tickStart = 0
  private tickBytes = 0

  constructor(
    private readonly proxy: FaultProxy,
    private readonly counters: Omit<ProxyStats, 'bytesHeld'>,
    private readonly link: Link,
    from: Socket,
    private readonly to: Socket,
    private readonly direction: 'bytesToTarget' | 'bytesToClient',
  ) {
    from.on('data', (data: Buffer) => {
      if (proxy.settings.blackholed) {
        counters.bytesDropped += data.length
        return
      }
      const { jitterMs } = proxy.settings
      this.queue.push({ data, arrivedAt: performance.now(), jitter: (Math.random() * 2 - 1) * jitterMs })
      void this.pump()
    })
    from.on('end', () => {
      this.ended = true
      void this.pump()
    })
  }

  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      while (!this.link.closed) {
        const chunk = this.queue[0]
        if (!chunk) break
        const settings = this.proxy.settings
        if (settings.paused) {
          await this.proxy.changed()
          continue
        }
        const due = chunk.arrivedAt + Math.max(0, settings.latencyMs + chunk.jitter)
        const wait = due - performance.now()
        if (settings.latencyMs > 0 && wait > 0) {
          await this.proxy.changed(wait)
          continue
        }
        let slice = chunk.data
        if (Number.isFinite(settings.bytesPerSecond)) {
          const budget = Math.max(1, Math.floor((settings.bytesPerSecond * BANDWIDTH_TICK_MS) / 1000))
          const now = performance.now()
          if (now - this.tickStart >= BANDWIDTH_TICK_MS) {
            this.tickStart = now
            this.tickBytes = 0
          }
          if (this.tickBytes >= budget) {
            await this.proxy.changed(this.tickStart + BANDWIDTH_TICK_MS - now)
            continue
          }
          slice = slice.subarray(0, budget - this.tickBytes)
          if (this.tickBytes === 0) this.counters.bandwidthTicks++
          this.tickBytes += slice.length
          this.counters.largestTickBytes = Math.max(this.counters.largestTickBytes, this.tickBytes)
        }
        const left = settings.limitBytes - this.link.counted
        const overLimit = slice.length >= left
        if (overLimit) slice = slice.subarray(0, Math.max(0, left))
        if (slice.length === chunk.data.length) this.queue.shift()
        else chunk.data = chunk.data.subarray(slice.length)
        this.link.counted += slice.length
        this.counters[this.direction] += slice.length
        if (overLimit) {
          this.to.end(slice, () => this.link.destroy())
          this.link.closed = true
          break
        }
        if (!this.to.write(slice))
          await Promise.race([once(this.to, 'drain'), once(this.to, 'close')]).catch(() => {}) // an error closes the link
      }
      if (this.ended && !this.queue.length && !this.link.closed) this.to.end()
    } finally {
      this.pumping = false
    }
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of one target, with faults switched on and off by its methods.
 * Each connection it accepts opens one to the target; faults apply to every connection, current and
 * new, until `restore()`.
 */
export class FaultProxy {
  settings: Settings = noFault()
  private readonly counters: Omit<ProxyStats, 'bytesHeld'> = {
    connections: 0,
    open: 0,
    bytesToTarget: 0,
    bytesToClient: 0,
    bytesDropped: 0,
    bandwidthTicks: 0,
    largestTickBytes: 0,
  }
  private readonly links = new Set<Link>()
  private readonly pipes = new Set<Pipe>()
  private readonly waiters = new Set<() => void>()
  private server: Server | undefined
  /** Where clients connect: the target's URL with host:port replaced (`tcp://127.0.0.1:<port>` for `{ host, port }`). */
  url = ''
  readonly host = '127.0.0.1'
  port = 0

  constructor(
    private readonly target: ResolvedTarget,
    /** Told each fault as it is switched on (the fixture records them on the test). */
    private readonly onFault: (fault: FaultName) => void = () => {},
  ) {}

  async listen(): Promise<this> {
    // Half-open: each direction ends on its own, as it would without the proxy.
    const server = createServer({ allowHalfOpen: true }, (client) => this.accept(client))
    server.on('error', () => {})
    server.listen(0, this.host)
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error)),
    ])
    this.server = server
    this.port = (server.address() as { port: number }).port
    this.url = urlThrough(this.target, this.port)
    return this
  }

  /** A snapshot of what the proxy did so far. */
  get stats(): ProxyStats {
    let bytesHeld = 0
    for (const pipe of this.pipes) for (const chunk of pipe.queue) bytesHeld += chunk.data.length
    return { ...this.counters, bytesHeld }
  }

  private accept(client: Socket): void {
    this.counters.connections++
    client.on('error', () => {})
    if (this.settings.down === 'reset') {
      client.resetAndDestroy()
      return
    }
    if (this.settings.down === 'cut' || !this.server) {
      client.destroy()
      return
    }
    const upstream = connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true })
    const link = new Link(client, upstream)
    this.links.add(link)
    this.counters.open++
    upstream.on('error', () => link.destroy())
    client.on('error', () => link.destroy())
    let closed = 0
    const onClose = () => {
      if (++closed === 1) link.destroy()
      else {
        this.links.delete(link)
        for (const pipe of pipes) this.pipes.delete(pipe)
        this.counters.open--
      }
    }
    client.on('close', onClose)
    upstream.on('close', onClose)
    const pipes = [
      new Pipe(this, this.counters, link, client, upstream, 'bytesToTarget'),
      new Pipe(this, this.counters, link, upstream, client, 'bytesToClient'),
    ]
    for (const pipe of pipes) this.pipes.add(pipe)
  }

  /** Resolves when a setting changes, or after `ms`. */
  changed(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms)
      const waiters = this.waiters
      function done() {
        clearTimeout(timer)
        waiters.delete(done)
        resolve()
      }
      waiters.add(done)
    })
  }

  private set(change: Partial<Settings>, fault?: FaultName): this {
    this.settings = { ...this.settings, ...change }
    if (fault) this.onFault(fault)
    for (const wake of [...this.waiters]) wake()
    return this
  }

  /** Delays every chunk by `ms` (± a random `jitter`, drawn per chunk; order is kept). */
  latency(ms: number, options: { jitter?: number } = {}): this {
    const jitter = options.jitter ?? 0
    for (const [name, value] of [
      ['latency', ms],
      ['jitter', jitter],
    ] as const)
      if (!Number.isFinite(value) || value < 0)
        throw new Error(`proxy.latency: ${name} must be a number of milliseconds ≥ 0, not ${value}`)
    return this.set({ latencyMs: ms, jitterMs: jitter }, 'latency')
  }

  /** At most `bytesPerSecond` each way per connection, delivered in slices every 100 ms. */
  bandwidth(bytesPerSecond: number): this {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0)
      throw new Error(`proxy.bandwidth: bytes per second must be a number > 0, not ${bytesPerSecond}`)
    return this.set({ bytesPerSecond }, 'bandwidth')
  }

  /** Closes every connection, and every new one until `restore()`. */
  cut(): this {
    this.set({ down: 'cut' }, 'cut')
    for (const link of this.links) link.destroy()
    return this
  }

  /** Resets (TCP RST) every connection, both ends, and every new one until `restore()`. */
  reset(): this {
    this.set({ down: 'reset' }, 'reset')
    for (const link of this.links) link.reset()
    return this
  }

  /** Accepts connections and reads them, but forwards nothing either way (data read meanwhile is lost). */
  blackhole(): this {
    return this.set({ blackholed: true }, 'blackhole')
  }

  /** Holds every byte, both ways, until `resume()` (or `restore()`) delivers them. */
  pause(): this {
    return this.set({ paused: true }, 'pause')
  }

  resume(): this {
    return this.set({ paused: false })
  }

  /** Closes each connection once it has carried `bytes` more (both ways together). */
  limit(bytes: number): this {
    if (!Number.isInteger(bytes) || bytes < 0)
      throw new Error(`proxy.limit: bytes must be a whole number ≥ 0, not ${bytes}`)
    for (const link of this.links) link.counted = 0
    return this.set({ limitBytes: bytes }, 'limit')
  }

  /** No fault: connections made from now on go through; held bytes are delivered. */
  restore(): this {
    return this.set(noFault())
  }

  /** Destroys every connection and stops listening. */
  async close(): Promise<void> {
    const server = this.server
    this.server = undefined
    this.set({ paused: false })
    for (const link of this.links) link.destroy()
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** A proxy listening in front of `target`. */
export async function startFaultProxy(
  target: ResolvedTarget,
  onFault?: (fault: FaultName) => void,
): Promise<FaultProxy> {
  return new FaultProxy(target, onFault).listen()
}
