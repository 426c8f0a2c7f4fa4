// This repository's `test`: Vitest's, with Testbed's PostgreSQL fixtures, Vault's and Auth0's added,
// and the notes service started in its own process with the services each test asks for.
import { auth0For } from '@testbed/auth0'
import { test as postgresTest } from '@testbed/postgres'
import { vaultEnv, vaultFor } from '@testbed/vault'
import { startApp } from './app-process.ts'

export const test = postgresTest
  .extend('vaultConfig', vaultFor)
  .extend('auth0', auth0For)
  // PostgreSQL only: callers name themselves with `x-user`, bodies are stored as they are.
  .extend('notesApi', async ({ database }, { onCleanup }) => {
    const app = await startApp(database.env)
    onCleanup(() => app.stop())
    return app
  })
  // With Vault: bodies stored as transit ciphertext.
  .extend('encryptingNotesApi', async ({ database, vaultConfig }, { onCleanup }) => {
    const app = await startApp({ ...database.env, ...vaultEnv(vaultConfig) })
    onCleanup(() => app.stop())
    return app
  })
  // With Auth0: callers must bring a JWT from the tenant.
  .extend('securedNotesApi', async ({ database, auth0 }, { onCleanup }) => {
    const app = await startApp({
      ...database.env,
      AUTH0_ISSUER_BASE_URL: auth0.issuer,
      AUTH0_AUDIENCE: auth0.audience,
    })
    onCleanup(() => app.stop())
    return app
  })
export { describe, expect } from 'vitest'
