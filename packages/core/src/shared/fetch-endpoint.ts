// Used on both sides: by plugins' probes in the main process and by their clients in workers.
import { errorChain, errorCodes } from './error-chain.js'
import { ProbeRefused } from './errors.js'

/**
 * What a failed connection says, from the error and its causes: `connect ECONNREFUSED 127.0.0.1:1`,
 * `getaddrinfo ENOTFOUND vault.invalid`. Node's `fetch` rejects with a bare "fetch failed" and keeps
 * all of that in `cause` (an AggregateError when several addresses were tried).
 */
export function describeNetworkError(error: unknown): string {
  const texts = new Set<string>()
  for (const { error: e, leaf } of errorChain(error)) {
    if (!leaf || !(e instanceof Error)) continue
    const code = (e as { code?: unknown }).code
    const text = e.message.trim() || e.name
    texts.add(typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text)
  }
  return [...texts].join('; ') || String(error)
}

/** The URL without its credentials: for messages. */
function printable(url: string): string {
  if (!URL.canParse(url)) return url
  const parsed = new URL(url)
  parsed.username = ''
  parsed.password = ''
  return parsed.href
}

/**
 * `fetch`, except that a request that cannot be made rejects with an Error naming the endpoint and
 * the cause (`GET http://127.0.0.1:1/v1/sys/health: connect ECONNREFUSED 127.0.0.1:1`), not "fetch
 * failed". The original error is its `cause`, so readiness still sees the connection's error code.
 */
export async function fetchEndpoint(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (error) {
    const where = `${init.method ?? 'GET'} ${printable(url)}`
    const aborted = init.signal?.aborted ? init.signal.reason : undefined
    if (aborted instanceof Error) throw new Error(`${where}: no answer: ${aborted.message}`, { cause: error })
    const why = describeNetworkError(error)
    // A connection that failed says how (a code: ECONNREFUSED, UND_ERR_SOCKET …). Without one, fetch
    // refused to make the request at all (a port the Fetch standard blocks, say): no retry can help.
    if (!errorCodes(error).length)
      throw new ProbeRefused(`${where}: ${explained(why, url)}`, { cause: error })
    throw new Error(`${where}: ${why}`, { cause: error })
  }
}

function explained(why: string, url: string): string {
  if (why !== 'bad port' || !URL.canParse(url)) return why
  return `bad port: fetch never connects to port ${new URL(url).port} (the Fetch standard blocks it); use another`
}
