import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { testScopeId, useConnection } from '@testbed/core'
import { test as base, type TestContext } from 'vitest'
import { connectOptions, type NatsConfig, redactedUrl } from './connection.js'
import { runStreamPrefix } from './provision.js'

/** A stream of the test's own, made by `natsScope.stream()`. */
export interface TestStream {
  /** `testbed_<run>_<test scope id>_<name>`. */
  name: string
  /** The stream's subjects, already under the test's prefix. */
  subjects: string[]
  info: StreamInfo
}

/** The test's own corner of the server: subjects no other test uses, streams deleted afterwards. */
export interface NatsScope {
  /** `testbed.<run>.<test scope id>`: no other test, worker or run publishes under it. */
  prefix: string
  /** `<prefix>.<name>`. */
  subject(name: string): string
  /**
   * Creates a stream unique to this test, deleted after it. Its subjects are `config.subjects` under
   * the prefix (default `<name>.>`).
   */
  stream(name: string, config?: Partial<Omit<StreamConfig, 'name'>>): Promise<TestStream>
}

export interface NatsFixtures {
  /** The server: `servers`, credentials, the provisioned `streams`, once the test is marked `requires_nats`. */
  natsConfig: NatsConfig
  /** A connection of the test's own, drained after it. */
  nats: NatsConnection
  /** A JetStream client on `nats`. */
  jetstream: JetStreamClient
  /** A JetStreamManager on `nats`. */
  jsm: JetStreamManager
  /** A per-test subject prefix and per-test streams. */
  natsScope: NatsScope
}

/**
 * The run's NATS for a test marked `requires_nats` (skips or fails it otherwise): a building block
 * to add NATS to another plugin's `test`: `postgresTest.extend('natsConfig', natsFor)`.
 */
export async function natsFor({ task, skip }: Pick<TestContext, 'task' | 'skip'>): Promise<NatsConfig> {
  return useConnection<NatsConfig>({ task, skip }, 'nats', 'natsConfig')
}

/** Connects to the run's server; an error names the server (secrets redacted). */
export async function connectNats(c: NatsConfig, name = 'testbed'): Promise<NatsConnection> {
  try {
    return await connect(connectOptions(c, { name }))
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${redactedUrl(c)}: ${(error as Error).message}`)
  }
}

// Each fixture a test may name asks for the service under its own name, never through another
// fixture: the advice for a test without its marker then names the fixture the test used.
export const test = base
  .extend('natsConfig', natsFor)
  // The test's connection, made when its first fixture asks (once that fixture checked the marker).
  .extend('natsTestConnection', async ({ task }, { onCleanup }) => {
    let connecting: Promise<NatsConnection> | undefined
    onCleanup(async () => {
      const nc = await connecting?.catch(() => undefined)
      await nc?.drain().catch(() => nc.close())
    })
    return (natsConfig: NatsConfig): Promise<NatsConnection> => {
      connecting ??= connectNats(natsConfig, `testbed: ${task.name}`)
      return connecting
    }
  })
  .extend('nats', async ({ task, skip, natsTestConnection }) =>
    natsTestConnection(await useConnection<NatsConfig>({ task, skip }, 'nats', 'nats')),
  )
  .extend('jetstream', async ({ task, skip, natsTestConnection }) =>
    jetstream(await natsTestConnection(await useConnection<NatsConfig>({ task, skip }, 'nats', 'jetstream'))),
  )
  .extend('jsm', async ({ task, skip, natsTestConnection }) =>
    jetstreamManager(
      await natsTestConnection(await useConnection<NatsConfig>({ task, skip }, 'nats', 'jsm')),
    ),
  )
  .extend('natsScope', async ({ task, skip, natsTestConnection }, { onCleanup }) => {
    const natsConfig = await useConnection<NatsConfig>({ task, skip }, 'nats', 'natsScope')
    const jsm = await jetstreamManager(await natsTestConnection(natsConfig))
    const id = testScopeId()
    const prefix = `testbed.${natsConfig.run}.${id}`
    const streamPrefix = `${runStreamPrefix(natsConfig.run)}${id}_`
    const created: string[] = []
    onCleanup(async () => {
      for (const name of created) await jsm.streams.delete(name).catch(() => {})
    })
    const subject = (name: string) => `${prefix}.${name}`
    return {
      prefix,
      subject,
      async stream(name, config = {}) {
        const full = `${streamPrefix}${name}`
        const subjects = (config.subjects ?? [`${name}.>`]).map(subject)
        const info = await jsm.streams.add({ ...config, name: full, subjects })
        created.push(full)
        return { name: full, subjects, info }
      },
    } satisfies NatsScope
  })
