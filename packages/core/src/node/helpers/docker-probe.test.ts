import { afterEach, describe, expect, test, vi } from 'vitest'
import { NotApplicable } from '../../shared/errors.ts'
import { dockerOrNotApplicable } from './docker-probe.ts'

describe('no Docker engine is a reason, not a failure', { tags: ['tier1'] }, () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  test('a socket that is not there', async () => {
    vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock')
    const error = await dockerOrNotApplicable().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotApplicable)
    expect((error as Error).message).toBe('no Docker engine at unix:///nonexistent/docker.sock: ENOENT')
  })

  test('an address that does not parse', async () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://[bad')
    const error = await dockerOrNotApplicable().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotApplicable)
    expect((error as Error).message).toBe('no Docker engine at tcp://[bad: not an address (Invalid URL)')
  })

  test('an engine that answered is passed on', async () => {
    const engine = { host: 'unix:///run/docker.sock', socketPath: '/run/docker.sock' }
    await expect(dockerOrNotApplicable(Promise.resolve(engine))).resolves.toBe(engine)
  })
})
