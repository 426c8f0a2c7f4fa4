import { describe, expect, test } from 'vitest'
import { hostBinaries } from './host-binaries-service.ts'
import { ServiceHub } from './service-hub.ts'

describe('programs on this machine as a service', { tags: ['tier1'] }, () => {
  test('is ready with the directory that holds them all', async () => {
    const hub = new ServiceHub()
    hub.register(hostBinaries('shell', ['sh', 'ls']))
    const { shell } = await hub.ensure(['shell'])
    expect(shell?.state === 'ready' && shell.connection).toMatch(/^\/(usr\/)?s?bin$/)
    await hub.stopAll()
  })

  test('is unavailable, saying where it looked, when one is missing', async () => {
    const hub = new ServiceHub()
    hub.register(hostBinaries('tools', ['sh', 'no-such-program-here'], () => ['/opt/tools/bin']))
    const { tools } = await hub.ensure(['tools'])
    expect(tools?.state !== 'ready' && tools?.reason).toBe(
      'tools unavailable: binary: sh and no-such-program-here not found on PATH or in /opt/tools/bin',
    )
    await hub.stopAll()
  })
})
