import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'main', include: ['generated/*.test.ts'] } },
      { test: { name: 'enterprise', include: ['generated/*.test.ts'] } },
    ],
  },
})
