import { randomBytes } from 'node:crypto'
import type { NatsConnection, NatsFound } from './connection.js'
import { ensureStream, type StreamOptions, withManager } from './streams.js'

export interface ProvisionOptions {
  /** JetStream streams created, or updated to this config, at the start of the run. */
  streams?: StreamOptions[]
}

/** Creates the configured streams; a server that outlives runs (`env`) is provisioned again without harm. */
export async function provisionNats(c: NatsFound, options: ProvisionOptions): Promise<NatsConnection> {
  const streams = options.streams ?? []
  await withManager(c, async (jsm) => {
    for (const stream of streams) await ensureStream(jsm, stream)
  })
  return { ...c, streams: streams.map((s) => s.name), run: randomBytes(4).toString('hex') }
}
