// "A note was created", published to NATS JetStream for whoever processes notes downstream.
import { type JetStreamClient, jetstream } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'

export interface NoteEvents {
  created(note: { id: number; owner: string; title: string }): Promise<void>
  close(): Promise<void>
}

export const noEvents: NoteEvents = { created: async () => {}, close: async () => {} }

/** `nats://user:pass@host:4222[,…]` (or a `token`): the client takes credentials as options. */
function connectOptions(url: string, token?: string) {
  const servers = url.split(',').map((server) => new URL(server))
  const [first] = servers
  return {
    servers: servers.map((server) => `${server.protocol}//${server.host}`),
    ...(first?.username
      ? { user: decodeURIComponent(first.username), pass: decodeURIComponent(first.password) }
      : {}),
    ...(token ? { token } : {}),
    name: 'secure-notes',
  }
}

/** Publishes `<prefix>.notes.created` and waits for JetStream's ack: a note is not created unheard. */
export async function natsNoteEvents(url: string, prefix: string, token?: string): Promise<NoteEvents> {
  const nc: NatsConnection = await connect(connectOptions(url, token))
  const js: JetStreamClient = jetstream(nc)
  return {
    async created(note) {
      await js.publish(`${prefix}.notes.created`, JSON.stringify(note))
    },
    close: () => nc.drain(),
  }
}
