// A NATS client outside Testbed: reads NATS_URL (and NATS_TOKEN) as `testbed up` exported them,
// publishes to JetStream and prints which stream stored the message.
import { jetstream } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'

const servers = process.env.NATS_URL.split(',').map((s) => new URL(s))
const [first] = servers
const nc = await connect({
  servers: servers.map((s) => `${s.protocol}//${s.host}`),
  ...(first.username && {
    user: decodeURIComponent(first.username),
    pass: decodeURIComponent(first.password),
  }),
  ...(process.env.NATS_TOKEN && { token: process.env.NATS_TOKEN }),
})
const ack = await jetstream(nc).publish(process.argv[2], 'hello')
console.log(`stream=${ack.stream} seq=${ack.seq}`)
await nc.drain()
