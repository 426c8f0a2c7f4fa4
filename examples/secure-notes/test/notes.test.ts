import { describe, expect, test } from './testbed.ts'

const as = (user: string) => ({ 'x-user': user, 'content-type': 'application/json' })

describe('notes API on PostgreSQL', { tags: ['requires_postgres', 'tier2'] }, () => {
  test('stores a note and lists it back, across processes', async ({ notesApi, database }) => {
    const created = await fetch(`${notesApi.url}/notes`, {
      method: 'POST',
      headers: as('ada'),
      body: JSON.stringify({ title: 'groceries', body: 'oat milk' }),
    })
    expect(created.status).toBe(201)
    const listed = await (await fetch(`${notesApi.url}/notes`, { headers: as('ada') })).json()
    expect(listed).toEqual([{ id: expect.any(Number), title: 'groceries', body: 'oat milk' }])
    const { rows } = await database.query('SELECT owner, body FROM notes')
    expect(rows).toEqual([{ owner: 'ada', body: 'oat milk' }])
  })

  test('shows each user only their own notes', async ({ notesApi }) => {
    for (const [user, title] of [
      ['ada', 'a'],
      ['bob', 'b'],
    ]) {
      await fetch(`${notesApi.url}/notes`, {
        method: 'POST',
        headers: as(user as string),
        body: JSON.stringify({ title, body: '.' }),
      })
    }
    const bobs = (await (await fetch(`${notesApi.url}/notes`, { headers: as('bob') })).json()) as Array<{
      title: string
    }>
    expect(bobs.map((n) => n.title)).toEqual(['b'])
  })

  test('rejects a note without a title', async ({ notesApi }) => {
    const response = await fetch(`${notesApi.url}/notes`, {
      method: 'POST',
      headers: as('ada'),
      body: JSON.stringify({ body: 'x' }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: 'title and body are required strings' })
  })

  test('starts every test on an empty, migrated database', async ({ database }) => {
    const { rows } = await database.query('SELECT count(*)::int AS n FROM notes')
    expect(rows[0].n).toBe(0)
    const index = await database.query("SELECT 1 FROM pg_indexes WHERE indexname = 'notes_owner_idx'")
    expect(index.rowCount).toBe(1)
  })
})
