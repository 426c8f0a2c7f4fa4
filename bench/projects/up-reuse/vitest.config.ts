import { defineConfig } from 'vitest/config'
import { testbed } from './vitest.workspace.ts'

// FIRST_TEST_AT: when a test of the run first ended (each worker prints its own; the bench takes the earliest).
const firstTestAt = new URL('./first-test-at.ts', import.meta.url).pathname
export default defineConfig({
  plugins: testbed.plugins,
  test: {
    projects: testbed.projects.map((p) => ({
      ...p,
      test: { ...p.test, setupFiles: [...[p.test?.setupFiles ?? []].flat(), firstTestAt] },
    })),
  },
})
