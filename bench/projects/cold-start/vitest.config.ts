import { defineTestbed } from '@testbed/core/config'
import { postgres } from '@testbed/postgres/config'
import { defineConfig } from 'vitest/config'
import { asInstalled } from './as-installed.ts'

const migrations = new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname
const testbed = defineTestbed({ services: [postgres({ migrations })], include: ['*.test.ts'] })

export default defineConfig({ plugins: testbed.plugins, test: { projects: asInstalled(testbed.projects) } })
