import { jetstreamManager } from '@nats-io/jetstream'
import { AuthorizationError, connect } from '@nats-io/transport-node'
import { describeNetworkError, ProbeRefused } from '@testbed/core/config'
import { connectOptions } from './client.js'
import { type NatsFound, redactedUrl } from './connection.js'

/**
 * Connects, flushes, and asks JetStream for the account's info. Refused credentials and a server
 * without JetStream are final: waiting will not change them.
 */
export async function probeNats(c: NatsFound, signal?: AbortSignal): Promise<void> {
  const where = redactedUrl(c)
  let nc: Awaited<ReturnType<typeof connect>> | undefined
  const abort = () => nc?.close().catch(() => {})
  signal?.addEventListener('abort', abort, { once: true })
  try {
    nc = await connect(
      connectOptions(c, { name: 'testbed-probe', timeout: 2000, reconnect: false, maxReconnectAttempts: 0 }),
    )
    await nc.flush()
    const jsm = await jetstreamManager(nc, { timeout: 2000 })
    await jsm.getAccountInfo()
  } catch (error) {
    const e = error as Error
    if (error instanceof AuthorizationError)
      throw new ProbeRefused(`${where} refused the credentials from ${c.credentialsSource}: ${e.message}`)
    if (e.name === 'JetStreamNotEnabled' || /jetstream is not enabled/i.test(e.message))
      throw new ProbeRefused(
        `${where} answers, but JetStream is not enabled there (start nats-server with -js)`,
      )
    throw new Error(`${where}: ${describeNetworkError(error)}`, { cause: error })
  } finally {
    signal?.removeEventListener('abort', abort)
    await nc?.close().catch(() => {})
  }
}
