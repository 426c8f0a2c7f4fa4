// This example's `test`: Vitest's, with PostgreSQL's, Vault's and the faults' fixture sets composed into it, and
// the scheduling service started in its own process on the test's database (`scheduler`), or on
// the file's database for the steps of a journey, which share one service (`fileScheduler`).
import { composeFixtures, faultsFixtures } from '@testbed/core'
import { postgresFixtures } from '@testbed/postgres'
import { vaultEnv, vaultFixtures } from '@testbed/vault'
import { test as vitestTest } from 'vitest'
import { type SchedulerProcess, startScheduler } from './app-process.ts'

export const test = composeFixtures(vitestTest, postgresFixtures, vaultFixtures, faultsFixtures)
  .extend('scheduler', async ({ database }, { onCleanup }) => {
    const app = await startScheduler(database.env)
    onCleanup(() => app.stop())
    return app
  })
  // With Vault: credentials encrypted through Vault transit, under a transit key of the test's own.
  .extend('vaultScheduler', async ({ database, vaultConnection, transitKey }, { onCleanup }) => {
    const app = await startScheduler({
      ...database.env,
      ...vaultEnv(vaultConnection),
      SCHEDULER_TRANSIT_KEY: transitKey,
    })
    onCleanup(() => app.stop())
    return app
  })
  // One service per file, started by the first step that asks, stopped when the file ends.
  .extend('schedulerFileProcess', { scope: 'file' }, async ({}, { onCleanup }) => {
    let started: Promise<SchedulerProcess> | undefined
    onCleanup(async () => {
      const app = await started?.catch(() => undefined)
      await app?.stop()
    })
    return (env: Record<string, string>): Promise<SchedulerProcess> => {
      started ??= startScheduler(env)
      return started
    }
  })
  .extend('fileScheduler', ({ fileDatabase, schedulerFileProcess }) => schedulerFileProcess(fileDatabase.env))
export { describe, expect } from 'vitest'
