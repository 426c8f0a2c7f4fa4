// Testbed's `database` fixture: each test one query on its own fresh database.
import { test } from '@testbed/postgres'
import { expect } from 'vitest'
import { count } from './tests.ts'

for (let i = 0; i < count; i++) {
  test(`testbed ${i}`, { tags: ['requires_postgres'] }, async ({ database }) => {
    const { rowCount } = await database.query("INSERT INTO notes (owner, title, body) VALUES ('a', 't', 'b')")
    expect(rowCount).toBe(1)
  })
}
