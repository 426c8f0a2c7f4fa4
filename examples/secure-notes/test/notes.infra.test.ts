import { createHash, randomBytes } from 'node:crypto'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { describe, expect, test } from './testbed.ts'

const as = (user: string, type = 'application/json') => ({ 'x-user': user, 'content-type': type })
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

async function createNote(url: string, user: string, title: string): Promise<number> {
  const response = await fetch(`${url}/notes`, {
    method: 'POST',
    headers: as(user),
    body: JSON.stringify({ title, body: '.' }),
  })
  expect(response.status).toBe(201)
  return ((await response.json()) as { id: number }).id
}

describe('attachments in S3', { tags: ['requires_postgres', 'requires_s3', 'tier2'] }, () => {
  test('an attachment is streamed into the bucket and back, byte for byte; only its owner reaches it', async ({
    attachingNotesApi: api,
    attachmentsBucket,
  }) => {
    const id = await createNote(api.url, 'ada', 'scan')
    // 6 MiB: large enough for the service's upload to go multipart.
    const file = randomBytes(6 * 1024 * 1024 + 3)
    const put = await fetch(`${api.url}/notes/${id}/attachment`, {
      method: 'PUT',
      headers: as('ada', 'image/png'),
      body: file,
    })
    expect(put.status).toBe(204)
    const got = await fetch(`${api.url}/notes/${id}/attachment`, { headers: as('ada') })
    expect(got.headers.get('content-type')).toBe('image/png')
    expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(file))
    const listed = await attachmentsBucket.client.send(
      new ListObjectsV2Command({ Bucket: attachmentsBucket.name }),
    )
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([[`notes/${id}/attachment`, file.length]])
    expect((await fetch(`${api.url}/notes/${id}/attachment`, { headers: as('bob') })).status).toBe(404)
  })
})

describe('note events on NATS JetStream', { tags: ['requires_postgres', 'requires_nats', 'tier2'] }, () => {
  test('each new note is announced, acknowledged by JetStream before the service answers', async ({
    announcingNotesApi: api,
    noteEvents,
  }) => {
    const first = await createNote(api.url, 'ada', 'one')
    const second = await createNote(api.url, 'bob', 'two')
    expect(await noteEvents.published()).toEqual([
      { subject: `${noteEvents.prefix}.notes.created`, data: { id: first, owner: 'ada', title: 'one' } },
      { subject: `${noteEvents.prefix}.notes.created`, data: { id: second, owner: 'bob', title: 'two' } },
    ])
  })
})

describe('the list cache in Redis', { tags: ['requires_postgres', 'requires_redis', 'tier2'] }, () => {
  test('a list is cached per user, and a new note clears its owner cache', async ({
    cachingNotesApi: api,
    notesCache,
  }) => {
    await createNote(api.url, 'ada', 'one')
    const list = (user: string) => fetch(`${api.url}/notes`, { headers: as(user) })
    expect((await list('ada')).headers.get('x-cache')).toBe('miss')
    const hit = await list('ada')
    expect(hit.headers.get('x-cache')).toBe('hit')
    expect(((await hit.json()) as { title: string }[]).map((n) => n.title)).toEqual(['one'])
    expect(JSON.parse((await notesCache.client.get('notes:ada')) as string)).toHaveLength(1)
    expect(await notesCache.client.ttl('notes:ada')).toBeGreaterThan(0)
    await createNote(api.url, 'ada', 'two')
    expect(await notesCache.client.exists('notes:ada')).toBe(0)
    const fresh = await list('ada')
    expect(fresh.headers.get('x-cache')).toBe('miss')
    expect(((await fresh.json()) as { title: string }[]).map((n) => n.title)).toEqual(['one', 'two'])
  })
})
