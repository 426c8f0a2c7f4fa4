import { fileURLToPath } from 'node:url'
import type { Subscription } from '@nats-io/transport-node'
import { runVitest } from '@testbed/test-support/run-vitest'
import { describe, expect, test as vitestTest } from 'vitest'
import { test, testNatsScope } from '../src/index.ts'

let previousStream: string | undefined
let previousPrefix: string | undefined

async function collect(sub: Subscription, ms: number): Promise<string[]> {
  const got: string[] = []
  const timer = setTimeout(() => sub.unsubscribe(), ms)
  for await (const m of sub) got.push(m.string())
  clearTimeout(timer)
  return got
}

describe('the nats fixtures', { tags: ['requires_nats', 'tier2'] }, () => {
  test('the configured streams exist with their subjects', async ({ natsConnection, jsm }) => {
    expect(natsConnection.streams).toContain('EVENTS')
    expect((await jsm.streams.info('EVENTS')).config.subjects).toEqual(['events.>'])
  })

  test('subjects live under the test’s own prefix', async ({ natsScope, nats }) => {
    expect(natsScope.prefix).toMatch(/^testbed\.[0-9a-f]{8}\.w\d+-[0-9a-f]{6}-[0-9a-z]+$/)
    expect(natsScope.subject('greetings')).toBe(`${natsScope.prefix}.greetings`)
    const sub = nats.subscribe(natsScope.subject('greetings'), { max: 1 })
    nats.publish(natsScope.subject('greetings'), 'hello')
    for await (const m of sub) expect(m.string()).toBe('hello')
    previousPrefix = natsScope.prefix
  })

  test('creates streams of the test’s own', async ({ natsScope, jetstream, jsm }) => {
    expect(natsScope.prefix).not.toBe(previousPrefix)
    const stream = await natsScope.stream('EVENTS')
    expect(stream.name).toMatch(/^testbed_[0-9a-f]{8}_w\d+-[0-9a-f]{6}-[0-9a-z]+_EVENTS$/)
    expect(stream.subjects).toEqual([`${natsScope.prefix}.EVENTS.>`])
    const ack = await jetstream.publish(natsScope.subject('EVENTS.created'), 'stored')
    expect(ack.stream).toBe(stream.name)
    expect((await jsm.streams.info(stream.name)).state.messages).toBe(1)
    // The run's own EVENTS stream (events.>) is untouched by the test's EVENTS.
    const custom = await natsScope.stream('ORDERS', { subjects: ['orders.*'], max_msgs: 5 })
    expect(custom.info.config).toMatchObject({ subjects: [`${natsScope.prefix}.orders.*`], max_msgs: 5 })
    previousStream = stream.name
  })

  test('deletes them after the test', async ({ jsm }) => {
    expect(previousStream).toBeDefined()
    await expect(jsm.streams.info(previousStream as string)).rejects.toThrow('stream not found')
  })
})

describe('testNatsScope, the building block the fixtures are made of', {
  tags: ['requires_nats', 'tier2'],
}, () => {
  test('a labelled scope beside the fixture’s; release deletes its streams and drains its connection, once', async ({
    natsConnection,
    natsScope,
    jsm,
  }) => {
    const scope = await testNatsScope(natsConnection, { label: 'orders' })
    const id = 'w\\d+-[0-9a-f]{6}-[0-9a-z]+'
    expect(scope.prefix).toMatch(new RegExp(`^testbed\\.${natsConnection.run}\\.orders-${id}$`))
    expect(scope.prefix).not.toBe(natsScope.prefix)
    const made = await scope.stream('ORDERS')
    expect(made.subjects).toEqual([`${scope.prefix}.ORDERS.>`])
    // A stream made by hand under a name the scope gave is the scope's to delete as well.
    const byHand = scope.streamName('BY_HAND')
    expect(byHand).toMatch(new RegExp(`^testbed_${natsConnection.run}_orders-${id}_BY_HAND$`))
    await jsm.streams.add({ name: byHand, subjects: [scope.subject('by-hand.>')] })
    await Promise.all([scope.release(), scope.release()])
    await scope.release()
    expect(scope.connection.isClosed()).toBe(true)
    for (const name of [made.name, byHand])
      await expect(jsm.streams.info(name)).rejects.toThrow('stream not found')
  })

  test('a label that cannot be part of a subject is refused', async ({ natsConnection }) => {
    await expect(testNatsScope(natsConnection, { label: 'a.b' })).rejects.toThrow(
      'testNatsScope: the label "a.b" may hold only letters, digits, "_" and "-"',
    )
  })
})

describe('messages never cross tests', { tags: ['requires_nats', 'tier2'] }, () => {
  for (const who of ['left', 'right']) {
    test.concurrent(`${who}: the same logical subject, only its own messages`, async ({
      natsScope,
      nats,
    }) => {
      const sub = nats.subscribe(natsScope.subject('chatter'))
      const received = collect(sub, 500)
      for (let i = 0; i < 20; i++) {
        nats.publish(natsScope.subject('chatter'), `${who}-${i}`)
        await new Promise((r) => setTimeout(r, 5))
      }
      const got = await received
      expect(got).toHaveLength(20)
      expect(new Set(got.map((m) => m.split('-')[0]))).toEqual(new Set([who]))
    })
  }
})

vitestTest(
  'a fixture used without the marker fails with advice naming that fixture',
  { tags: ['tier2'] },
  async () => {
    const run = await runVitest({ fixture: fileURLToPath(new URL('./fixtures/unmarked', import.meta.url)) })
    for (const fixture of ['natsConnection', 'nats', 'jetstream', 'jsm', 'natsScope']) {
      const name = `uses ${fixture} unmarked`
      expect(run.status(name)).toBe('failed')
      expect(run.tests.find((t) => t.fullName.endsWith(name))?.failureMessages.join('\n')).toContain(
        `'${name}' uses the nats fixture '${fixture}' but is not marked requires_nats. Add { tags: ['requires_nats'] }`,
      )
    }
    expect(run.stderr).not.toContain('nats ready') // nothing was started for tests that may not use it
  },
)
