// Per-test isolation cost of the infrastructure trio, as each fixture pays it, p50/p95 over 200 tests
// on servers started with their `binary` providers:
//   postgres  a fresh database from the template (the pool on), one query, dropped
//   redis     a client under a fresh key prefix, one SET, the prefix's keys removed, the client closed
//   nats      a connection, a per-test stream created and deleted, the connection drained
//   s3        a client, a per-test bucket created, one PUT, the bucket emptied and deleted, the client
//             destroyed (on the `embedded` emulator: S3 from npm needs no server)
//   node bench/isolation-cost.ts

import { PutObjectCommand } from '@aws-sdk/client-s3'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { ServiceHub } from '@testbed/core/config'
import { type NatsConfig, nats } from '@testbed/nats/config'
import type { PostgresConnection } from '@testbed/postgres/config'
import { postgres } from '@testbed/postgres/config'
import { type RedisConnection, redis } from '@testbed/redis/config'
import { type S3Config, s3 } from '@testbed/s3/config'
import { Redis } from 'ioredis'
import { connectOptions } from '../packages/nats/dist/connection.js'
// The fixtures' own building blocks, from the builds (not public entry points).
import { testDatabase } from '../packages/postgres/dist/test-database.js'
import { removeKeys, testPrefix } from '../packages/redis/dist/keys.js'
import { deleteBucket, ensureBucket } from '../packages/s3/dist/buckets.js'
import { s3Client } from '../packages/s3/dist/client.js'
import { finish, percentiles, report } from './stats.ts'

for (const name of ['POSTGRES', 'REDIS', 'NATS']) process.env[`TESTBED_${name}_PROVIDERS`] = 'binary'
process.env.TESTBED_S3_PROVIDERS = 'embedded'
const hub = new ServiceHub()
for (const service of [postgres(), redis(), nats(), s3()]) hub.register(service as never)
const statuses = await hub.ensure(['postgres', 'redis', 'nats', 's3'])
const connection = <T>(name: string): T => {
  const status = statuses[name]
  if (status?.state !== 'ready') throw new Error(`${name}: ${status?.reason}`)
  return status.connection as T
}

async function measure(work: () => Promise<void>): Promise<Record<string, string>> {
  const samples: number[] = []
  for (let i = 0; i < 220; i++) {
    const start = performance.now()
    await work()
    if (i >= 20) samples.push(performance.now() - start)
  }
  return percentiles(samples)
}

const rows: Record<string, string>[] = []
try {
  const server = connection<PostgresConnection>('postgres')
  rows.push({
    plugin: 'postgres',
    ...(await measure(async () => {
      const db = await testDatabase(server)
      await db.query('SELECT 1')
      await db.release()
    })),
  })

  const r = connection<RedisConnection>('redis')
  const options = { host: r.host, port: r.port, password: r.password, db: r.db, lazyConnect: true }
  const cleaner = new Redis(options)
  rows.push({
    plugin: 'redis',
    ...(await measure(async () => {
      const prefix = testPrefix()
      const client = new Redis({ ...options, keyPrefix: prefix })
      await client.set('k', 'v')
      await removeKeys(cleaner, prefix)
      await client.quit()
    })),
  })
  await cleaner.quit()

  const n = connection<NatsConfig>('nats')
  let i = 0
  rows.push({
    plugin: 'nats',
    ...(await measure(async () => {
      const nc = await connect(connectOptions(n, { name: 'bench' }))
      const jsm = await jetstreamManager(nc)
      const name = `${n.run}_bench_${++i}`
      await jsm.streams.add({ name, subjects: [`bench.${i}.>`] })
      await jsm.streams.delete(name)
      await nc.drain()
    })),
  })

  const c = connection<S3Config>('s3')
  let b = 0
  rows.push({
    plugin: 's3',
    ...(await measure(async () => {
      const client = s3Client(c)
      const bucket = `testbed-${c.run}-bench-${++b}`
      await ensureBucket(client, bucket)
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }))
      await deleteBucket(client, bucket)
      client.destroy()
    })),
  })
} finally {
  await hub.stopAll()
}
report('per-test isolation cost (ms)', rows)
finish('isolation-cost')
