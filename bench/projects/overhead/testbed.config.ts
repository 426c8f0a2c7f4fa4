import { defineTestbed } from '@testbed/core/config'
import { postgres } from '@testbed/postgres/config'
import { defineConfig } from 'vitest/config'

// The same tests as one of Testbed's pipelines; no test needs PostgreSQL, so none is started.
const testbed = defineTestbed({ services: [postgres()], include: ['generated/*.test.ts'] })

export default defineConfig({ plugins: testbed.plugins, test: { projects: testbed.projects } })
