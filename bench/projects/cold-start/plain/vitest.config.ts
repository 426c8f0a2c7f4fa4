// Plain Vitest, no Testbed: the floor under any run's start (bench/cold-start.ts runs it beside Testbed's).
import { defineConfig } from 'vitest/config'

export default defineConfig({ test: { include: ['*.test.ts'] } })
