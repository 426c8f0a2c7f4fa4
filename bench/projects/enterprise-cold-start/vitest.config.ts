import { auth0 } from '@testbed/auth0/config'
import { defineTestbed } from '@testbed/core/config'
import { postgres } from '@testbed/postgres/config'
import { vault } from '@testbed/vault/config'
import { defineConfig } from 'vitest/config'

const migrations = new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname
const testbed = defineTestbed({
  services: [postgres({ migrations }), vault(), auth0()],
  include: ['*.test.ts'],
})

export default defineConfig({ plugins: testbed.plugins, test: { projects: testbed.projects } })
