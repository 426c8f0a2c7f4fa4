import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection as NatsClient } from '@nats-io/transport-node'
import { eventually } from '@testbed/test-support/eventually'
import { containersOfThisProcess } from '@testbed/test-support/outside-process'
import { describe, expect, test } from 'vitest'
import { connectOptions } from '../src/client.ts'
import type { NatsConnection } from '../src/connection.ts'
import { natsServerPath, outsideServer, ready, startNats, stopAndCheck } from './start-nats.ts'

const streams = [{ name: 'EVENTS', subjects: ['events.>'] }]
const withSbin = { PATH: `${process.env.PATH}:/usr/sbin` }

async function withClient<T>(c: NatsConnection, fn: (nc: NatsClient) => Promise<T>): Promise<T> {
  const nc = await connect(connectOptions(c, { reconnect: false }))
  try {
    return await fn(nc)
  } finally {
    await nc.close()
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

/** Publish/subscribe, the configured stream with its subjects, and a message stored in it and read back. */
async function exercise(c: NatsConnection): Promise<void> {
  await withClient(c, async (nc) => {
    const sub = nc.subscribe('ping.round-trip', { max: 1 })
    nc.publish('ping.round-trip', 'hello')
    for await (const m of sub) expect(m.string()).toBe('hello')
    const jsm = await jetstreamManager(nc)
    const info = await jsm.streams.info('EVENTS')
    expect(info.config.subjects).toEqual(['events.>'])
    const ack = await jetstream(nc).publish('events.created', 'stored')
    expect(ack.stream).toBe('EVENTS')
    const msg = await jsm.streams.getMessage('EVENTS', { seq: ack.seq })
    expect(msg?.string()).toBe('stored')
  })
}

describe('NATS providers, each against a real server', { tags: ['tier2', 'requires_nats_server'] }, () => {
  test('binary: nats-server from PATH with JetStream, its store in a temp dir', async () => {
    const started = await startNats({ TESTBED_NATS_PROVIDERS: 'binary', ...withSbin }, { streams })
    const c = ready(started)
    expect(started.status.state === 'ready' && started.status.provider).toBe('binary')
    expect(c.throwaway).toBe(true)
    expect(c.streams).toEqual(['EVENTS'])
    await exercise(c)
    const port = Number(new URL(c.servers[0] as string).port)
    const store = readdirSync(started.tempRoot)
    expect(store).toHaveLength(1) // the server's store dir, until the run ends
    expect(await stopAndCheck(started)).toEqual([])
    expect(existsSync(`${started.tempRoot}/${store[0]}`)).toBe(false)
    expect(await refused(port)).toBe(true)
  })

  test('env: a server named by NATS_URL keeps running, and provisioning it twice changes nothing', async () => {
    const server = await outsideServer(['-js', '--user', 'app', '--pass', 's3cret'])
    const url = `nats://app:s3cret@127.0.0.1:${server.port}`
    const first = await startNats({ NATS_URL: url }, { streams })
    const c = ready(first)
    expect(first.status.state === 'ready' && first.status.provider).toBe('env')
    expect(c).toMatchObject({ user: 'app', pass: 's3cret', credentialsSource: 'NATS_URL' })
    expect(first.status.state === 'ready' && first.status.endpoint).toBe(
      `nats://app:***@127.0.0.1:${server.port}`,
    )
    await exercise(c)
    await first.hub.stopAll()
    // The server and its streams stay; the second run finds the stream and its message as they were.
    const second = await startNats({ NATS_URL: url }, { streams })
    const again = ready(second)
    const info = await withClient(again, async (nc) => (await jetstreamManager(nc)).streams.info('EVENTS'))
    expect(info.state.messages).toBe(1)
    expect(info.config.subjects).toEqual(['events.>'])
    await second.hub.stopAll()
    expect(server.child.exitCode).toBeNull()
  })

  test('container: @testcontainers/nats through a real Docker engine', {
    tags: ['requires_docker'],
  }, async () => {
    // No registry here: .ci/images/nats.sh builds this image locally from the machine's nats-server.
    const image = process.env.TESTBED_NATS_IMAGE ?? 'testbed/nats:2.9'
    const started = await startNats(
      {
        TESTBED_NATS_PROVIDERS: 'container',
        DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      },
      { streams, container: { image } },
    )
    const c = ready(started)
    expect(started.status.state === 'ready' && started.status.provider).toBe('container')
    await exercise(c)
    expect(containersOfThisProcess()).toHaveLength(1)
    expect(await stopAndCheck(started)).toEqual([])
    expect(containersOfThisProcess()).toEqual([])
  })
})

describe('a server that dies mid-run', { tags: ['tier2', 'requires_nats_server'] }, () => {
  test('fails requests with an error naming the server, and the run still stops cleanly', async () => {
    expect(natsServerPath()).toMatch(/nats-server$/)
    const started = await startNats({ TESTBED_NATS_PROVIDERS: 'binary', ...withSbin }, { streams })
    const c = ready(started)
    const port = new URL(c.servers[0] as string).port
    const nc = await connect(connectOptions(c, { reconnect: false, name: 'doomed' }))
    const pid = execFileSync('pgrep', ['-f', `nats-server .*-p ${port} `])
      .toString()
      .trim()
    expect(pid).toMatch(/^\d+$/)
    process.kill(Number(pid), 'SIGKILL')
    // SIGKILL is delivered, not waited for: until the process is gone (or a zombie), its listening
    // socket still takes connections and resets them.
    const exited = () => {
      try {
        return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
      } catch {
        return true
      }
    }
    await eventually(exited, `nats-server ${pid} has exited`, 60_000)
    await expect(nc.request('anything', 'x', { timeout: 2000 })).rejects.toThrow(/closed|disconnect/i)
    const { connectNats } = await import('../src/client.ts')
    await expect(connectNats(c)).rejects.toThrow(
      `cannot connect to NATS at nats://testbed:***@127.0.0.1:${port}: connection refused`,
    )
    expect(await stopAndCheck(started)).toEqual([])
  })
})
