import { defineTestbed } from '@testbed/core/config'
import { nats } from '@testbed/nats/config'
import { postgres } from '@testbed/postgres/config'
import { redis } from '@testbed/redis/config'
import { defineConfig } from 'vitest/config'

const migrations = new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname
const testbed = defineTestbed({
  services: [
    postgres({ migrations }),
    redis(),
    nats({ streams: [{ name: 'EVENTS', subjects: ['events.>'] }] }),
  ],
  include: ['*.test.ts'],
})

export default defineConfig({ test: { projects: testbed.projects } })
