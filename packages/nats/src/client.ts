import { type ConnectionOptions, connect, type NatsConnection as NatsClient } from '@nats-io/transport-node'
import { type NatsFound, redactedUrl } from './connection.js'

/** Options for `connect()` from `@nats-io/transport-node`. */
export function connectOptions(c: NatsFound, extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    servers: c.servers,
    ...(c.user !== undefined ? { user: c.user, pass: c.pass ?? '' } : {}),
    ...(c.token !== undefined ? { token: c.token } : {}),
    ...extra,
  }
}

/** Connects to the server; an error names it (secrets redacted). `name` is the client's name on the server. */
export async function connectNats(c: NatsFound, name = 'testbed'): Promise<NatsClient> {
  try {
    return await connect(connectOptions(c, { name }))
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${redactedUrl(c)}: ${(error as Error).message}`)
  }
}
