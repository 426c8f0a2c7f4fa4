// Per-test isolation cost of the infrastructure trio, as each fixture pays it (through the building
// blocks the fixtures are made of), p50/p95 over `tests` tests (default 200, after 20 of warm-up) on
// servers started with their `binary` providers:
//   postgres  testDatabase: a fresh database from the template (the pool on), one query, released
//   redis     testRedisScope: a client under a fresh key prefix, one SET, released (the prefix's keys
//             removed, the clients closed)
//   nats      testNatsScope: a connection, a per-test stream created, released (the stream deleted,
//             the connection drained)
//   s3        testBucket: a client, a per-test bucket created, one PUT, released (the bucket emptied
//             and deleted, the client destroyed) (on the `embedded` emulator: S3 from npm needs no server)
//   node bench/isolation-cost.ts [tests=200] [--json]

import { PutObjectCommand } from '@aws-sdk/client-s3'
import { ServiceHub } from '@testbed/core/config'
import { type NatsConnection, nats } from '@testbed/nats/config'
import { type PostgresConnection, postgres } from '@testbed/postgres/config'
import { type RedisConnection, redis } from '@testbed/redis/config'
import { type S3Connection, s3 } from '@testbed/s3/config'
// The fixtures' building blocks, from the builds (the worker entries would load Vitest).
import { testNatsScope } from '../packages/nats/dist/test-scope.js'
import { testDatabase } from '../packages/postgres/dist/test-database.js'
import { testRedisScope } from '../packages/redis/dist/test-scope.js'
import { testBucket } from '../packages/s3/dist/test-bucket.js'
import { args, finish, percentiles, report } from './stats.ts'

const tests = Number(args[0] ?? 200)
const warmUp = 20

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
  for (let i = 0; i < warmUp + tests; i++) {
    const start = performance.now()
    await work()
    if (i >= warmUp) samples.push(performance.now() - start)
  }
  return percentiles(samples)
}

const rows: Record<string, string>[] = []
try {
  const pg = connection<PostgresConnection>('postgres')
  rows.push({
    plugin: 'postgres',
    ...(await measure(async () => {
      const db = await testDatabase(pg)
      await db.query('SELECT 1')
      await db.release()
    })),
  })

  const r = connection<RedisConnection>('redis')
  rows.push({
    plugin: 'redis',
    ...(await measure(async () => {
      const scope = await testRedisScope(r)
      await scope.client.set('k', 'v')
      await scope.release()
    })),
  })

  const n = connection<NatsConnection>('nats')
  rows.push({
    plugin: 'nats',
    ...(await measure(async () => {
      const scope = await testNatsScope(n, { clientName: 'bench' })
      await scope.stream('bench')
      await scope.release()
    })),
  })

  const c = connection<S3Connection>('s3')
  rows.push({
    plugin: 's3',
    ...(await measure(async () => {
      const bucket = await testBucket(c)
      await bucket.client.send(new PutObjectCommand({ Bucket: bucket.name, Key: 'k', Body: 'v' }))
      await bucket.release()
    })),
  })
} finally {
  await hub.stopAll()
}
report('per-test isolation cost (ms)', rows)
finish('isolation-cost', { rounds: tests })
