import { afterEach, describe, expect, test, vi } from 'vitest'
import { containerImage, serviceVariable } from './service-variables.ts'

describe('containerImage: option, else TESTBED_<SERVICE>_IMAGE, else the default', {
  tags: ['tier1'],
}, () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  test('the option wins', () => {
    vi.stubEnv('TESTBED_NATS_IMAGE', 'nats:from-env')
    expect(containerImage('nats', 'nats:option', 'nats:default')).toBe('nats:option')
  })

  test('then the variable, spelled as TESTBED_<SERVICE>_PROVIDERS is', () => {
    vi.stubEnv('TESTBED_NATS_IMAGE', 'nats:from-env')
    expect(containerImage('nats', undefined, 'nats:default')).toBe('nats:from-env')
    vi.stubEnv('TESTBED_COMPOSE_V1_IMAGE', 'compose:from-env')
    expect(containerImage('compose-v1', undefined, 'compose:default')).toBe('compose:from-env')
  })

  test('then the default', () => {
    vi.stubEnv('TESTBED_NATS_IMAGE', undefined)
    expect(containerImage('nats', undefined, 'nats:default')).toBe('nats:default')
  })

  test('the variable names', () => {
    expect(serviceVariable('postgres', 'PROVIDERS')).toBe('TESTBED_POSTGRES_PROVIDERS')
    expect(serviceVariable('s3_clients', 'IMAGE')).toBe('TESTBED_S3_CLIENTS_IMAGE')
    expect(serviceVariable('compose-v1', 'IMAGE')).toBe('TESTBED_COMPOSE_V1_IMAGE')
  })
})
