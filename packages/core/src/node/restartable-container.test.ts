import { describe, expect, test } from 'vitest'
import { ContainerPorts } from './restartable-container.ts'

const container = { getId: () => 'c0ffee' }
let next = 40_000
const freePort = async () => next++

describe('publishing a container port', { tags: ['tier1'] }, () => {
  test('on a local engine each port is bound to a host port chosen free, and the container can restart', async () => {
    const ports = new ContainerPorts(true, freePort)
    expect(await ports.publish(5432)).toEqual({ container: 5432, host: 40_000 })
    expect(await ports.publish(8222)).toEqual({ container: 8222, host: 40_001 })
    expect(ports.whyNotRestartable(container)).toBeUndefined()
  })

  test('on a remote engine Docker chooses, and a restart is refused saying why', async () => {
    const ports = new ContainerPorts(false, freePort)
    expect(await ports.publish(5432)).toBe(5432)
    expect(ports.whyNotRestartable(container)).toBe(
      'its Docker engine is remote, so Docker chose its host ports and may publish a restarted container on others',
    )
  })

  test('a provider that published nothing through it, or whose container cannot restart, is refused', async () => {
    expect(new ContainerPorts(true, freePort).whyNotRestartable(container)).toMatch(
      /^its provider did not publish its ports through ctx.startContainer/,
    )
    const ports = new ContainerPorts(true, freePort)
    await ports.publish(6379)
    expect(ports.whyNotRestartable({})).toBe('the provider gave back no container that can restart')
  })
})
