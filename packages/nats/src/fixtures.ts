import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { testScopeId, useService } from '@testbed/core'
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
  return (await useService<NatsConfig>({ task, skip }, 'nats', 'natsConfig')).connection
}

/** Connects to the run's server; an error names the server (secrets redacted). */
export async function connectNats(c: NatsConfig, name = 'testbed'): Promise<NatsConnection> {
  try {
    return await connect(connectOptions(c, { name }))
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${redactedUrl(c)}: ${(error as Error).message}`)
  }
}

export const test = base
  .extend('natsConfig', natsFor)
  .extend('nats', async ({ natsConfig, task }, { onCleanup }) => {
    const nc = await connectNats(natsConfig, `testbed: ${task.name}`)
    onCleanup(async () => {
      await nc.drain().catch(() => nc.close())
    })
    return nc
  })
  .extend('jetstream', async ({ nats }) => jetstream(nats))
  .extend('jsm', async ({ nats }) => jetstreamManager(nats))
  .extend('natsScope', async ({ natsConfig, jsm }, { onCleanup }) => {
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
