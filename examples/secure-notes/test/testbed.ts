// This repository's `test`: Vitest's, with Testbed's PostgreSQL fixtures and the notes service.
import { test as postgresTest } from '@testbed/postgres'
import { startApp } from './app-process.ts'

export const test = postgresTest.extend('notesApi', async ({ database }, { onCleanup }) => {
  const app = await startApp(database.env)
  onCleanup(() => app.stop())
  return app
})
export { describe, expect } from 'vitest'
