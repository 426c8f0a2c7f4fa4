// What a project writes by hand: beforeEach CREATE DATABASE … TEMPLATE (Testbed's migrated template,
// so only the per-test part differs), a client from the URL, afterEach DROP DATABASE.
import { test } from '@testbed/postgres'
import pg from 'pg'
import { afterAll, expect } from 'vitest'
import { count } from './tests.ts'

let admin: pg.Client | undefined
let client: pg.Client
let name = ''
let n = 0
test.beforeEach(async ({ postgresConnection: c }) => {
  if (!admin) {
    admin = new pg.Client({
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      database: c.database,
    })
    await admin.connect()
  }
  name = `${c.prefix}_hand_${++n}`
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${c.template}"`)
  client = new pg.Client({ host: c.host, port: c.port, user: c.user, password: c.password, database: name })
  await client.connect()
})
test.afterEach(async () => {
  await client.end()
  await admin?.query(`DROP DATABASE "${name}"`)
})
afterAll(() => admin?.end())

for (let i = 0; i < count; i++) {
  test(`hand-written ${i}`, { tags: ['requires_postgres'] }, async () => {
    const { rowCount } = await client.query("INSERT INTO notes (owner, title, body) VALUES ('a', 't', 'b')")
    expect(rowCount).toBe(1)
  })
}
