import { type ComposeServiceRef, composeServiceProvider, type Provider } from '@testbed/core/config'
import type { NatsFound } from '../connection.js'

/**
 * A service of a compose file (`nats({ compose: stack.service('nats') })`), run with `-js`: its
 * published 4222, and the user and password in its `NATS_USER` / `NATS_PASSWORD`, when it sets them.
 */
export function composeProvider(ref: ComposeServiceRef): Provider<NatsFound> {
  return composeServiceProvider(ref, ({ host, port, environment, service }) => ({
    servers: [`nats://${host}:${port(4222)}`],
    ...(environment.NATS_USER ? { user: environment.NATS_USER, pass: environment.NATS_PASSWORD ?? '' } : {}),
    credentialsSource: `the compose service ${service}`,
    throwaway: true,
  }))
}
