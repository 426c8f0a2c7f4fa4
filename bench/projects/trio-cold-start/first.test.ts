import { composeFixtures } from '@testbed/core'
import { natsFixtures } from '@testbed/nats'
import { postgresFixtures } from '@testbed/postgres'
import { redisFixtures } from '@testbed/redis'
import { expect, test as vitestTest } from 'vitest'

const test = composeFixtures(vitestTest, postgresFixtures, redisFixtures, natsFixtures)

test('first test of the trio', {
  tags: ['requires_postgres', 'requires_redis', 'requires_nats'],
}, async ({ database, redisConnection, natsConnection }) => {
  console.log(`FIRST_TEST_AT ${Date.now()}`)
  expect((await database.query('SELECT 1 AS one')).rows[0].one).toBe(1)
  expect(redisConnection.port).toBeGreaterThan(0)
  expect(natsConnection.streams).toContain('EVENTS')
})
