/** What a fault proxy stands in front of: a service URL, or a host and port. */
export type ProxyTarget = string | URL | { host: string; port: number }

export interface ResolvedTarget {
  host: string
  port: number
  /** The target as a URL, when it was given as one: the proxy's `url` is this with host:port replaced. */
  url?: URL
}

/** Ports a URL implies when it names none (the WHATWG URL parser knows only web schemes). */
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 }

function checkPort(port: unknown, what: string): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`faults.proxy: the port of ${what} is ${JSON.stringify(port)}, not a port (1–65535)`)
  return port
}

/** Reads a target, or says plainly why it is not one. */
export function resolveTarget(target: ProxyTarget): ResolvedTarget {
  if (typeof target === 'string' || target instanceof URL) {
    const notOne = new Error(
      `faults.proxy: ${JSON.stringify(String(target))} is not a URL of a server (such as postgres://user@host:5432/db) or { host, port }`,
    )
    let url: URL
    try {
      url = new URL(String(target))
    } catch {
      throw notOne
    }
    // `localhost:5432` parses, as a URL of scheme `localhost:` with no host.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    if (!host) throw notOne
    const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol]
    if (port === undefined)
      throw new Error(
        `faults.proxy: ${url.protocol}//${url.host} names no port, and ${url.protocol} has no default one: give the port, or pass { host, port }`,
      )
    return { host, port: checkPort(port, url.host), url }
  }
  if (target === null || typeof target !== 'object' || typeof target.host !== 'string' || !target.host)
    throw new Error(
      `faults.proxy: ${JSON.stringify(target)} is not a URL of a server (such as postgres://user@host:5432/db) or { host, port }`,
    )
  return { host: target.host, port: checkPort(target.port, target.host) }
}

/** The target URL with its host:port replaced by the proxy's, credentials, path and query kept. */
export function urlThrough(target: ResolvedTarget, port: number): string {
  if (!target.url) return `tcp://127.0.0.1:${port}`
  const url = new URL(target.url)
  url.hostname = '127.0.0.1'
  url.port = String(port)
  return url.toString()
}
