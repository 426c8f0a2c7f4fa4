import { test } from '@testbed/postgres'
import { expect } from 'vitest'

test('first test', { tags: ['requires_postgres'] }, async ({ database }) => {
  console.log(`FIRST_TEST_AT ${Date.now()}`)
  expect((await database.query('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(0)
})

test('no service', () => {
  console.log(`PLAIN_TEST_AT ${Date.now()}`) // only in the run that filters the first test out
})
