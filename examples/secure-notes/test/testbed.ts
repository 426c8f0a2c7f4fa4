// This repository's `test`: Vitest's, with Testbed's PostgreSQL fixtures and the notes service.
import { test as postgresTest } from '@testbed/postgres'
import { startApp } from './app-process.ts'

export const test = postgresTest.extend('notesApi', async ({ database }, { onCleanup }) => {
  const app = await startApp(database.env)
  onCleanup(() => app.stop())
  return app
})
export { describe, expect } from 'vitest'

// Markers for the services the enterprise tests need; this repository declares them (see
// vitest.workspace.ts) until their plugins exist, so their tests skip with that reason.
declare module '@testbed/core' {
  interface TestbedServices {
    vault: true
    auth0: true
  }
}
