import { defineConfig } from 'vitest/config'
import { testbed } from './vitest.workspace.ts'

export default defineConfig({
  plugins: testbed.plugins,
  test: {
    projects: testbed.projects,
  },
})
