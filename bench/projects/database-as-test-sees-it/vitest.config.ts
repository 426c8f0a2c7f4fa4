import { defineTestbed } from '@testbed/core/config'
import { postgres } from '@testbed/postgres/config'
import { defineConfig } from 'vitest/config'

const migrations = new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname
const testbed = defineTestbed({ services: [postgres({ migrations })], include: ['*.test.ts'] })

// One worker: the tests run back to back, as bench/database-as-test-sees-it.ts means to measure.
export default defineConfig({
  plugins: testbed.plugins,
  test: { projects: testbed.projects, maxWorkers: 1 },
})
