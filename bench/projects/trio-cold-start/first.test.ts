import { natsFor } from '@testbed/nats'
import { test as postgresTest } from '@testbed/postgres'
import { redisFor } from '@testbed/redis'
import { expect } from 'vitest'

const test = postgresTest.extend('redisConfig', redisFor).extend('natsConfig', natsFor)

test('first test of the seed’s trio', {
  tags: ['requires_postgres', 'requires_redis', 'requires_nats'],
}, async ({ database, redisConfig, natsConfig }) => {
  console.log(`FIRST_TEST_AT ${Date.now()}`)
  expect((await database.query('SELECT 1 AS one')).rows[0].one).toBe(1)
  expect(redisConfig.port).toBeGreaterThan(0)
  expect(natsConfig.streams).toContain('EVENTS')
})
