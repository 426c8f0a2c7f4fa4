// Testbed's `rollbackDatabase` fixture: each test one query in a transaction rolled back at its end.
import { test } from '@testbed/postgres'
import { expect } from 'vitest'
import { count } from './tests.ts'

for (let i = 0; i < count; i++) {
  test(`rollback ${i}`, { tags: ['requires_postgres'] }, async ({ rollbackDatabase }) => {
    const { rowCount } = await rollbackDatabase.query(
      "INSERT INTO notes (owner, title, body) VALUES ('a', 't', 'b')",
    )
    expect(rowCount).toBe(1)
  })
}
