import { connect } from 'node:net'
import { NotApplicable } from '../../shared/errors.js'

export interface DockerEngine {
  /** `unix:///var/run/docker.sock` or `tcp://host:port`, as testcontainers expects in DOCKER_HOST. */
  host: string
  socketPath?: string
}

export const DOCKER_PROBE_TIMEOUT_MS = 2000

/** `TESTBED_DOCKER_PROBE_TIMEOUT_MS`, else 2 s: how long the engine may take to answer. */
export function dockerProbeTimeoutMs(): number {
  return Number(process.env.TESTBED_DOCKER_PROBE_TIMEOUT_MS) || DOCKER_PROBE_TIMEOUT_MS
}

/** Where DOCKER_HOST (default the local socket) points: a socket path, or a TCP host and port. */
export function dockerAddress(): {
  host: string
  options: { path: string } | { host: string; port: number }
} {
  const host = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'
  if (host.startsWith('unix://')) return { host, options: { path: host.slice('unix://'.length) } }
  const url = new URL(host.replace(/^tcp:/, 'http:'))
  return { host, options: { host: url.hostname, port: Number(url.port || 2375) } }
}

/**
 * Asks the engine for `/_ping`, bounded in time. testcontainers itself can hang for minutes on a
 * half-dead daemon (a socket that accepts and never answers), so it is imported only after this passed.
 */
export function probeDocker(timeoutMs = dockerProbeTimeoutMs()): Promise<DockerEngine> {
  let address: ReturnType<typeof dockerAddress>
  try {
    address = dockerAddress()
  } catch (error) {
    // An address that does not parse is one more place with no engine: said so, not thrown.
    const why = (error as Error).message
    return Promise.reject(
      new Error(`no Docker engine at ${process.env.DOCKER_HOST}: not an address (${why})`),
    )
  }
  const { host, options } = address
  return new Promise((resolve, reject) => {
    const socket = connect(options)
    let answer = ''
    let connected = false
    const fail = (why: string) => {
      socket.destroy()
      reject(new Error(`no Docker engine at ${host}: ${why}`))
    }
    const timer = setTimeout(
      () =>
        fail(
          connected
            ? `it accepted the connection but did not answer /_ping within ${timeoutMs} ms`
            : `no connection within ${timeoutMs} ms`,
        ),
      timeoutMs,
    )
    socket.once('connect', () => {
      connected = true
      socket.write('GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n')
    })
    socket.on('data', (chunk) => {
      answer += chunk.toString()
      if (/\r\n\r\nOK/.test(answer) || /^HTTP\/1\.[01] 200/.test(answer)) {
        clearTimeout(timer)
        socket.destroy()
        resolve({ host, socketPath: 'path' in options ? options.path : undefined })
      }
    })
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      fail(error.code ?? error.message)
    })
    socket.once('close', () => {
      clearTimeout(timer)
      fail('the connection closed without an answer')
    })
  })
}

/**
 * What a provider or service that needs an engine waits for: the engine, or — when the probe found
 * none — `NotApplicable` with the probe's reason. No engine here is not a failure: the next provider
 * is tried, and tests that need one skip (or fail where they are required).
 */
export function dockerOrNotApplicable(probe: Promise<DockerEngine> = probeDocker()): Promise<DockerEngine> {
  return probe.catch((error: Error) => {
    throw new NotApplicable(error.message)
  })
}
