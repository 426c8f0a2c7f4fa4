import { auth0Fixtures } from '@testbed/auth0'
import { composeFixtures } from '@testbed/core'
import { postgresFixtures } from '@testbed/postgres'
import { vaultFixtures } from '@testbed/vault'
import { expect, test as vitestTest } from 'vitest'

const test = composeFixtures(vitestTest, postgresFixtures, vaultFixtures, auth0Fixtures)

test('first enterprise test', { tags: ['requires_postgres', 'requires_vault', 'requires_auth0'] }, async ({
  database,
  vaultConnection,
  auth0,
}) => {
  console.log(`FIRST_TEST_AT ${Date.now()}`)
  expect((await database.query('SELECT 1 AS one')).rows[0].one).toBe(1)
  expect(vaultConnection.keys).toContain('test-data-key')
  expect(await auth0.token()).toMatch(/^ey/)
})
