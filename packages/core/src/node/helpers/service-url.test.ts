import { describe, expect, test } from 'vitest'
import { parsePort, parseServiceUrl, redactUrl } from './service-url.ts'

const postgres = { variable: 'DATABASE_URL', kind: 'PostgreSQL', schemes: ['postgres', 'postgresql'] }
const problem = (value: string) => () => parseServiceUrl(value, postgres)

describe('parseServiceUrl: what is wrong with a URL, naming the variable', { tags: ['tier1'] }, () => {
  test('a good URL, with and without a port', () => {
    expect(parseServiceUrl('postgres://u:p@127.0.0.1:5433/app', postgres)).toMatchObject({
      host: '127.0.0.1',
      port: 5433,
    })
    expect(parseServiceUrl('postgresql://db.internal/app', postgres)).toMatchObject({
      host: 'db.internal',
      port: undefined,
    })
    expect(parseServiceUrl('postgres://[::1]:5432/app', postgres)).toMatchObject({ host: '::1', port: 5432 })
  })

  test('an empty port is an error, not the default port', () => {
    expect(problem('postgres://u:p@127.0.0.1:')).toThrow(
      'DATABASE_URL is not a valid PostgreSQL URL: its port is empty ("postgres://u:***@127.0.0.1:")',
    )
    expect(problem('postgres://u:p@127.0.0.1:/app')).toThrow('its port is empty')
    expect(problem('postgres://[::1]:/app')).toThrow('its port is empty')
  })

  test('a port that is no number, or out of range', () => {
    expect(problem('postgres://127.0.0.1:54x2/app')).toThrow(
      'DATABASE_URL is not a valid PostgreSQL URL: its port "54x2" is not a number ("postgres://127.0.0.1:54x2/app")',
    )
    expect(problem('postgres://127.0.0.1:70000/app')).toThrow('its port 70000 is out of range (1-65535)')
    expect(problem('postgres://127.0.0.1:0/app')).toThrow('its port 0 is out of range')
  })

  test('no host, another scheme, no scheme, and text that is no URL', () => {
    expect(problem('postgres://user:secret@:5432/app')).toThrow(
      'DATABASE_URL is not a valid PostgreSQL URL: it names no host ("postgres://user:***@:5432/app")',
    )
    expect(problem('mysql://localhost/app')).toThrow(
      'DATABASE_URL is not a valid PostgreSQL URL: it must start with postgres:// or postgresql://',
    )
    expect(problem('localhost:5432')).toThrow('it must start with postgres:// or postgresql://')
    expect(problem('postgres://exa mple/app')).toThrow('it does not parse as a URL')
    expect(problem('postgres://[::1/app')).toThrow('DATABASE_URL is not a valid PostgreSQL URL')
  })

  test('a host may be optional (a socket directory in the query)', () => {
    expect(
      parseServiceUrl('postgres:///app?host=/run/postgresql', { ...postgres, hostOptional: true }).host,
    ).toBe('')
  })

  test('never prints a password, even one with an unencoded / or @', () => {
    expect(redactUrl('redis://:s3cr/et@host:6379/0')).toBe('redis://:***@host:6379/0')
    expect(redactUrl('nats://me:p@ss@host:4222')).toBe('nats://me:***@host:4222')
    expect(() => parseServiceUrl('redis://:s3cr/et@host:x', { ...postgres, schemes: ['redis'] })).toThrow(
      /^(?!.*s3cr).*$/,
    )
  })

  test('a port variable of its own (PGPORT)', () => {
    expect(parsePort('PGPORT', '5433')).toBe(5433)
    expect(() => parsePort('PGPORT', 'abc')).toThrow('PGPORT must be a port number (1-65535), not "abc"')
  })
})
