import {
  type JetStreamManager,
  jetstreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream'
import type { NatsConnection as NatsClient } from '@nats-io/transport-node'
import { testScopeId } from '@testbed/core'
import { connectNats } from './client.js'
import type { NatsConnection } from './connection.js'
import { runStreamPrefix, runSubjectPrefix } from './streams.js'

/** A stream of the test's own, made by `NatsScope.stream()`. */
export interface TestStream {
  /** `testbed_<run>_<test scope id>_<name>`. */
  name: string
  /** The stream's subjects, already under the scope's prefix. */
  subjects: string[]
  info: StreamInfo
}

/** A test's own corner of the server: subjects no other test uses, streams deleted afterwards. */
export interface NatsScope {
  /** `testbed.<run>.<test scope id>` (`testbed.<run>.<label>-<test scope id>` with a label): no other test, worker or run publishes under it. */
  prefix: string
  /** `<prefix>.<name>`. */
  subject(name: string): string
  /**
   * `testbed_<run>_<test scope id>_<suffix>` (with the label as in `prefix`): a stream name of the
   * scope's own. `release()` deletes a stream of that name, and the run deletes it at its end if
   * `release()` never ran.
   */
  streamName(suffix: string): string
  /**
   * Creates the stream `streamName(name)`. Its subjects are `config.subjects` under the prefix
   * (default `<name>.>`).
   */
  stream(name: string, config?: Partial<Omit<StreamConfig, 'name'>>): Promise<TestStream>
  /** The scope's own client connection (`@nats-io/transport-node`), drained by `release()`. */
  connection: NatsClient
  /** Deletes the streams named by `streamName()` and drains `connection`. Calling it again does nothing more. */
  release(): Promise<void>
}

export interface NatsScopeOptions {
  /**
   * Put into the names (`testbed.<run>.<label>-<test scope id>`), so a test can tell a second scope
   * of its own apart. Letters, digits, `_` and `-`.
   */
  label?: string
  /** The client connection's name on the server. Default `testbed`. */
  clientName?: string
}

/**
 * A subject prefix and stream names of a test's own, under the run's prefixes, with a client
 * connection: what the `nats`, `jetstream`, `jsm` and `natsScope` fixtures are made of, for fixtures
 * of your own.
 */
export async function testNatsScope(
  connection: NatsConnection,
  options: NatsScopeOptions = {},
): Promise<NatsScope> {
  const { label } = options
  if (label !== undefined && !/^[\w-]+$/.test(label))
    throw new Error(`testNatsScope: the label "${label}" may hold only letters, digits, "_" and "-"`)
  const id = label === undefined ? testScopeId() : `${label}-${testScopeId()}`
  const prefix = `${runSubjectPrefix(connection.run)}${id}`
  const streamPrefix = `${runStreamPrefix(connection.run)}${id}_`
  const client = await connectNats(connection, options.clientName)
  const named = new Set<string>()
  let manager: Promise<JetStreamManager> | undefined
  const jsm = () => {
    manager ??= jetstreamManager(client)
    return manager
  }
  let released: Promise<void> | undefined
  const subject = (name: string) => `${prefix}.${name}`
  const streamName = (suffix: string) => {
    const name = `${streamPrefix}${suffix}`
    named.add(name)
    return name
  }
  return {
    prefix,
    subject,
    streamName,
    connection: client,
    async stream(name, config = {}) {
      const full = streamName(name)
      const subjects = (config.subjects ?? [`${name}.>`]).map(subject)
      const info = await (await jsm()).streams.add({ ...config, name: full, subjects })
      return { name: full, subjects, info }
    },
    release() {
      released ??= (async () => {
        if (named.size) {
          const streams = (await jsm().catch(() => undefined))?.streams
          for (const name of named) await streams?.delete(name).catch(() => {})
        }
        await client.drain().catch(() => client.close())
      })()
      return released
    },
  }
}
