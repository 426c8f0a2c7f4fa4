import { describeNetworkError, ProbeRefused } from '@testbed/core/config'
import { Redis } from 'ioredis'
import { clientOptions } from './client.js'
import type { RedisFound } from './connection.js'

/**
 * Connects and sends PING (AUTH and SELECT first, when the connection has them). How long that may
 * take is the readiness policy's to say (through `signal`): a live server slow to answer is waited for.
 */
export async function probeRedis(c: RedisFound, signal?: AbortSignal): Promise<void> {
  const client = new Redis({
    ...clientOptions(c),
    lazyConnect: true,
    connectTimeout: 0, // no limit of its own
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  })
  // With reconnection off, commands fail with "Connection is closed."; the cause is the last 'error'.
  let cause: Error | undefined
  client.on('error', (error: Error) => {
    cause = error
  })
  const abort = () => client.disconnect()
  signal?.addEventListener('abort', abort, { once: true })
  try {
    await client.connect()
    await client.ping()
  } catch (error) {
    const message = (cause ?? (error as Error)).message
    // A refused password is final: waiting will not make it right.
    if (/^(WRONGPASS|NOAUTH)/.test(message)) {
      const given = c.password
        ? `the password from ${c.passwordSource}`
        : `no password (${c.passwordSource} gives none)`
      // NOAUTH's text after HELLO is a paragraph about HELLO: the code says it all.
      const said = message.startsWith('NOAUTH') ? 'NOAUTH authentication required' : message
      throw new ProbeRefused(`${c.host}:${c.port} refused ${given}: ${said}`)
    }
    if (signal?.aborted) throw new Error(`${c.host}:${c.port} did not answer in time`, { cause: error })
    throw new Error(describeNetworkError(cause ?? error), { cause: cause ?? error })
  } finally {
    signal?.removeEventListener('abort', abort)
    client.disconnect()
  }
}
