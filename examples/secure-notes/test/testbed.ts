// This repository's `test`: Vitest's, with Testbed's PostgreSQL fixtures, the other plugins' added,
// and the notes service started in its own process with the services each test asks for.
import { jetstreamManager } from '@nats-io/jetstream'
import { auth0For } from '@testbed/auth0'
import { testScopeId } from '@testbed/core'
import { connectNats, natsEnv, natsFor } from '@testbed/nats'
import { test as postgresTest } from '@testbed/postgres'
import { closeClient, connectionEnv, redisClient, redisFor, removeKeys, testPrefix } from '@testbed/redis'
import { deleteBucket, ensureBucket, s3Client, s3Env, s3For } from '@testbed/s3'
import { vaultEnv, vaultFor } from '@testbed/vault'
import { startApp } from './app-process.ts'

export const test = postgresTest
  .extend('vaultConfig', vaultFor)
  .extend('auth0', auth0For)
  .extend('s3Config', s3For)
  .extend('natsConfig', natsFor)
  .extend('redisConfig', redisFor)
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
  // With S3: attachments in a bucket of the test's own, emptied and deleted after it.
  .extend('attachmentsBucket', async ({ s3Config }, { onCleanup }) => {
    const client = s3Client(s3Config)
    const bucket = `testbed-${s3Config.run}-notes-${testScopeId()}`
    await ensureBucket(client, bucket)
    onCleanup(async () => {
      await deleteBucket(client, bucket)
      client.destroy()
    })
    return { bucket, client }
  })
  .extend('attachingNotesApi', async ({ database, s3Config, attachmentsBucket }, { onCleanup }) => {
    const app = await startApp({
      ...database.env,
      ...s3Env(s3Config),
      NOTES_BUCKET: attachmentsBucket.bucket,
    })
    onCleanup(() => app.stop())
    return app
  })
  // With NATS: the service announces notes under the test's own subject prefix, into a stream of its
  // own (named with the run's prefix, so the run deletes it even if this cleanup never runs).
  .extend('noteEvents', async ({ natsConfig }, { onCleanup }) => {
    const id = testScopeId()
    const prefix = `testbed.${natsConfig.run}.notes-${id}`
    const stream = `testbed_${natsConfig.run}_notes_${id}`
    const nc = await connectNats(natsConfig)
    const jsm = await jetstreamManager(nc)
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] })
    onCleanup(async () => {
      await jsm.streams.delete(stream).catch(() => {})
      await nc.drain()
    })
    return {
      prefix,
      /** What the stream holds, oldest first. */
      async published(): Promise<{ subject: string; data: unknown }[]> {
        const { state } = await jsm.streams.info(stream)
        const messages = []
        for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
          const m = await jsm.streams.getMessage(stream, { seq })
          if (m) messages.push({ subject: m.subject, data: m.json() })
        }
        return messages
      },
    }
  })
  .extend('announcingNotesApi', async ({ database, natsConfig, noteEvents }, { onCleanup }) => {
    const app = await startApp({
      ...database.env,
      ...natsEnv(natsConfig),
      NOTES_SUBJECT_PREFIX: noteEvents.prefix,
    })
    onCleanup(() => app.stop())
    return app
  })
  // With Redis: the service caches under the test's own key prefix; the keys are removed after it.
  .extend('notesCache', async ({ redisConfig }, { onCleanup }) => {
    const keyPrefix = testPrefix()
    const client = redisClient(redisConfig, { keyPrefix })
    onCleanup(async () => {
      const raw = redisClient(redisConfig)
      await removeKeys(raw, keyPrefix)
      await Promise.all([closeClient(client), closeClient(raw)])
    })
    return { keyPrefix, client }
  })
  .extend('cachingNotesApi', async ({ database, redisConfig, notesCache }, { onCleanup }) => {
    const app = await startApp({
      ...database.env,
      ...connectionEnv(redisConfig),
      NOTES_CACHE_PREFIX: notesCache.keyPrefix,
    })
    onCleanup(() => app.stop())
    return app
  })
export { describe, expect } from 'vitest'
