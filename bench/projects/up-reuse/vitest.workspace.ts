// examples/secure-notes' tests with its services, as a repository of its own: `testbed up` reads this.
import { auth0 } from '@testbed/auth0/config'
import { defineTestbed } from '@testbed/core/config'
import { nats } from '@testbed/nats/config'
import { postgres } from '@testbed/postgres/config'
import { redis } from '@testbed/redis/config'
import { s3 } from '@testbed/s3/config'
import { vault } from '@testbed/vault/config'

const services = [
  postgres({ migrations: new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname }),
  vault(),
  auth0(),
  s3(),
  nats(),
  redis(),
]

export const testbed = defineTestbed({
  services,
  include: ['../../../examples/secure-notes/test/**/*.test.ts'],
})
