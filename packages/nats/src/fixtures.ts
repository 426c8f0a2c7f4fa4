import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection as NatsClient } from '@nats-io/transport-node'
import { defineFixtureSet, type FixtureSet, useConnection } from '@testbed/core'
import { test as vitestTest } from 'vitest'
import type { NatsConnection } from './connection.js'
import { type NatsScope, testNatsScope } from './test-scope.js'

export interface NatsFixtures {
  /** The server: `servers`, credentials, the provisioned `streams`, once the test is marked `requires_nats`. */
  natsConnection: NatsConnection
  /** A client connection of the test's own, drained after it. */
  nats: NatsClient
  /** A JetStream client on `nats`. */
  jetstream: JetStreamClient
  /** A JetStreamManager on `nats`. */
  jsm: JetStreamManager
  /** A per-test subject prefix and per-test streams, deleted after the test. */
  natsScope: NatsScope
}

// Each fixture a test may name asks for the service under its own name, never through another
// fixture: the advice for a test without its marker then names the fixture the test used.
/** The NATS fixtures, for any `test`: `composeFixtures(vitestTest, postgresFixtures, natsFixtures)`. */
export const natsFixtures: FixtureSet<NatsFixtures> = defineFixtureSet((test) =>
  test
    .extend('natsConnection', ({ task, skip }) =>
      useConnection<NatsConnection>({ task, skip }, 'nats', 'natsConnection'),
    )
    // The test's scope (and its client connection), made when its first fixture asks (once that
    // fixture checked the marker), released after the test.
    .extend('natsTestScope', async ({ task }, { onCleanup }) => {
      let scope: Promise<NatsScope> | undefined
      onCleanup(async () => {
        await (await scope?.catch(() => undefined))?.release()
      })
      return (connection: NatsConnection): Promise<NatsScope> => {
        scope ??= testNatsScope(connection, { clientName: `testbed: ${task.name}` })
        return scope
      }
    })
    .extend('nats', async ({ task, skip, natsTestScope }) => {
      const connection = await useConnection<NatsConnection>({ task, skip }, 'nats', 'nats')
      return (await natsTestScope(connection)).connection
    })
    .extend('jetstream', async ({ task, skip, natsTestScope }) => {
      const connection = await useConnection<NatsConnection>({ task, skip }, 'nats', 'jetstream')
      return jetstream((await natsTestScope(connection)).connection)
    })
    .extend('jsm', async ({ task, skip, natsTestScope }) => {
      const connection = await useConnection<NatsConnection>({ task, skip }, 'nats', 'jsm')
      return jetstreamManager((await natsTestScope(connection)).connection)
    })
    .extend('natsScope', async ({ task, skip, natsTestScope }) =>
      natsTestScope(await useConnection<NatsConnection>({ task, skip }, 'nats', 'natsScope')),
    ),
)

/** Vitest's `test` with the NATS fixtures. */
export const test = natsFixtures(vitestTest)
