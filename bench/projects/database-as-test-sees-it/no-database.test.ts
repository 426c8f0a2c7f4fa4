// The same tests without a database of their own (the server's connection info only): what a test
// costs in Vitest and Testbed alone, to tell that part from the database's.
import { test } from '@testbed/postgres'
import { expect } from 'vitest'
import { count } from './tests.ts'

for (let i = 0; i < count; i++) {
  test(`no database ${i}`, { tags: ['requires_postgres'] }, async ({ postgresConnection }) => {
    expect(postgresConnection.template).toMatch(/^testbed_tpl_/)
  })
}
