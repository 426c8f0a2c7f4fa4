import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { connectOptions } from './client.js'
import type { NatsFound } from './connection.js'

/** A stream to create from the config: `{ name: 'EVENTS', subjects: ['events.>'] }` and any other setting. */
export type StreamOptions = Partial<StreamConfig> & { name: string }

/** Runs `fn` with a JetStreamManager on a connection of its own, closed afterwards. */
export async function withManager<T>(c: NatsFound, fn: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
  const nc = await connect(connectOptions(c, { name: 'testbed', timeout: 5000, reconnect: false }))
  try {
    return await fn(await jetstreamManager(nc))
  } finally {
    await nc.close().catch(() => {})
  }
}

/** Creates the stream, or updates an existing one to the config: provisioning twice changes nothing. */
export async function ensureStream(jsm: JetStreamManager, stream: StreamOptions): Promise<void> {
  try {
    const exists = await jsm.streams.info(stream.name).then(
      () => true,
      (error: Error) => {
        if (error.name === 'StreamNotFoundError') return false
        throw error
      },
    )
    if (exists) await jsm.streams.update(stream.name, stream)
    else await jsm.streams.add(stream)
  } catch (error) {
    throw new Error(`stream ${stream.name}: ${(error as Error).message}`)
  }
}

/** Per-test subjects of a run are `testbed.<run>.…`. */
export function runSubjectPrefix(run: string): string {
  return `testbed.${run}.`
}

/** Per-test streams of a run are named `testbed_<run>_…`; what is left of them is deleted at its end. */
export function runStreamPrefix(run: string): string {
  return `testbed_${run}_`
}

export async function deleteStreamsWithPrefix(jsm: JetStreamManager, prefix: string): Promise<void> {
  const names: string[] = []
  for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) names.push(name)
  for (const name of names) await jsm.streams.delete(name).catch(() => {})
}
