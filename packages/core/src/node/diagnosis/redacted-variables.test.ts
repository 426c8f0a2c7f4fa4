import { describe, expect, test } from 'vitest'
import { redactValue, setVariables } from './redacted-variables.ts'

describe('what testbed doctor shows of a variable', { tags: ['tier1'] }, () => {
  test.each([
    ['DATABASE_URL', 'postgres://app:pw/with@signs@db:5432/app', 'postgres://app:***@db:5432/app'],
    ['DATABASE_URL', 'postgres://db/app?user=app&password=pw', 'postgres://db/app?user=app&password=***'],
    ['NATS_URL', 'nats://a:pa@n1:4222,nats://token@n2:4222', 'nats://a:***@n1:4222,nats://***@n2:4222'],
    ['REDIS_URL', 'redis://cache:6379/0', 'redis://cache:6379/0'],
    ['VAULT_TOKEN', 'hvs.secret', '***'],
    ['PGPASSWORD', 'pw', '***'],
    ['AWS_SECRET_ACCESS_KEY', 'k', '***'],
    ['AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE', 'AKIAEXAMPLE'],
    ['PGHOST', '/run/postgresql', '/run/postgresql'],
  ])('%s=%s is shown as %s', (name, value, shown) => {
    expect(redactValue(name, value)).toBe(shown)
  })

  test('only the variables that are set, redacted', () => {
    expect(
      setVariables({ PGHOST: 'db', PGPASSWORD: 'pw', PGUSER: '' }, [
        'PGHOST',
        'PGPORT',
        'PGUSER',
        'PGPASSWORD',
      ]),
    ).toEqual({
      PGHOST: 'db',
      PGPASSWORD: '***',
    })
  })
})
