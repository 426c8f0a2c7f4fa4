import { defineConfig } from 'vitest/config'
import { testbed } from './vitest.workspace.ts'

export default defineConfig({
  test: {
    projects: testbed.projects,
  },
})
