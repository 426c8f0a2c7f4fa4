import { composeStack, defineTestbed } from '@testbed/core/config'
import { nats } from '@testbed/nats/config'
import { postgres } from '@testbed/postgres/config'
import { redis } from '@testbed/redis/config'
import { defineConfig } from 'vitest/config'

const migrations = new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname
// The compose file of examples/compose-trio, used when the bench asks for the `compose` providers.
const stack = composeStack({
  file: new URL('../../../examples/compose-trio/docker-compose.test.yml', import.meta.url).pathname,
  env: {
    POSTGRES_IMAGE: process.env.TESTBED_POSTGRES_IMAGE ?? 'postgres:15-alpine',
    REDIS_IMAGE: process.env.TESTBED_REDIS_IMAGE ?? 'redis:7-alpine',
    NATS_IMAGE: process.env.TESTBED_NATS_IMAGE ?? 'nats:2.10-alpine',
  },
})
const testbed = defineTestbed({
  services: [
    postgres({ migrations, compose: stack.service('postgres') }),
    redis({ compose: stack.service('dragonfly') }),
    nats({ streams: [{ name: 'EVENTS', subjects: ['events.>'] }], compose: stack.service('nats') }),
  ],
  include: ['*.test.ts'],
})

export default defineConfig({ plugins: testbed.plugins, test: { projects: testbed.projects } })
