// The same project with its migrations given as a function: the cluster cache then keeps the
// initialised cluster alone and the template is migrated every run (bench/cold-start.ts compares).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineTestbed } from '@testbed/core/config'
import { type MigrationFunction, postgres } from '@testbed/postgres/config'
import { defineConfig } from 'vitest/config'
import { asInstalled } from './as-installed.ts'

const folder = new URL('../../../examples/secure-notes/migrations', import.meta.url).pathname
const migrations: MigrationFunction = async (client) => {
  for (const name of readdirSync(folder)
    .filter((n) => n.endsWith('.sql'))
    .sort())
    await client.query(readFileSync(join(folder, name), 'utf8'))
}
const testbed = defineTestbed({ services: [postgres({ migrations })], include: ['*.test.ts'] })

export default defineConfig({ plugins: testbed.plugins, test: { projects: asInstalled(testbed.projects) } })
