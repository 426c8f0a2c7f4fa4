import { auth0For } from '@testbed/auth0'
import { test as postgresTest } from '@testbed/postgres'
import { vaultFor } from '@testbed/vault'
import { expect } from 'vitest'

const test = postgresTest.extend('vaultConfig', vaultFor).extend('auth0', auth0For)

test('first enterprise test', { tags: ['requires_postgres', 'requires_vault', 'requires_auth0'] }, async ({
  database,
  vaultConfig,
  auth0,
}) => {
  console.log(`FIRST_TEST_AT ${Date.now()}`)
  expect((await database.query('SELECT 1 AS one')).rows[0].one).toBe(1)
  expect(vaultConfig.keys).toContain('test-data-key')
  expect(await auth0.token()).toMatch(/^ey/)
})
