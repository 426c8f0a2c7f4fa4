// This repository's `test`: Vitest's, with every plugin's fixtures composed into it, and the notes
// service started in its own process with the services each test asks for. The per-test resources
// (a bucket, a NATS scope, a Redis key prefix) are the plugins' building blocks, labelled `notes`.
import { jetstreamManager } from '@nats-io/jetstream'
import { auth0Fixtures } from '@testbed/auth0'
import { composeFixtures } from '@testbed/core'
import { natsEnv, natsFixtures, testNatsScope } from '@testbed/nats'
import { postgresFixtures } from '@testbed/postgres'
import { redisEnv, redisFixtures, testRedisScope } from '@testbed/redis'
import { s3Env, s3Fixtures, testBucket } from '@testbed/s3'
import { vaultEnv, vaultFixtures } from '@testbed/vault'
import { test as vitestTest } from 'vitest'
import { startApp } from './app-process.ts'

type Env = Record<string, string>

/** The notes service with `env`, stopped after the test. */
async function notesApi(env: Env, onCleanup: (fn: () => Promise<void>) => void) {
  const app = await startApp(env)
  onCleanup(() => app.stop())
  return app
}

export const test = composeFixtures(
  vitestTest,
  postgresFixtures,
  vaultFixtures,
  auth0Fixtures,
  s3Fixtures,
  natsFixtures,
  redisFixtures,
)
  // PostgreSQL only: callers name themselves with `x-user`, bodies are stored as they are.
  .extend('notesApi', ({ database }, { onCleanup }) => notesApi(database.env, onCleanup))
  // With Vault: bodies stored as transit ciphertext.
  .extend('encryptingNotesApi', ({ database, vaultConnection }, { onCleanup }) =>
    notesApi({ ...database.env, ...vaultEnv(vaultConnection) }, onCleanup),
  )
  // With Auth0: callers must bring a JWT from the tenant.
  .extend('securedNotesApi', ({ database, auth0 }, { onCleanup }) =>
    notesApi(
      { ...database.env, AUTH0_ISSUER_BASE_URL: auth0.issuer, AUTH0_AUDIENCE: auth0.audience },
      onCleanup,
    ),
  )
  // With S3: attachments in a bucket of the test's own, emptied and deleted after it.
  .extend('attachmentsBucket', async ({ s3Connection }, { onCleanup }) => {
    const bucket = await testBucket(s3Connection, { label: 'notes' })
    onCleanup(() => bucket.release())
    return bucket
  })
  .extend('attachingNotesApi', ({ database, s3Connection, attachmentsBucket }, { onCleanup }) =>
    notesApi({ ...database.env, ...s3Env(s3Connection), NOTES_BUCKET: attachmentsBucket.name }, onCleanup),
  )
  // With NATS: the service announces notes under the test's own subject prefix, into a stream of its
  // own (named with the run's prefix, so the run deletes it even if this cleanup never runs).
  .extend('noteEvents', async ({ natsConnection }, { onCleanup }) => {
    const scope = await testNatsScope(natsConnection, { label: 'notes' })
    onCleanup(() => scope.release())
    const { name } = await scope.stream('events', { subjects: ['>'] })
    const jsm = await jetstreamManager(scope.connection)
    return {
      prefix: scope.prefix,
      /** What the stream holds, oldest first. */
      async published(): Promise<{ subject: string; data: unknown }[]> {
        const { state } = await jsm.streams.info(name)
        const messages = []
        for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
          const m = await jsm.streams.getMessage(name, { seq })
          if (m) messages.push({ subject: m.subject, data: m.json() })
        }
        return messages
      },
    }
  })
  .extend('announcingNotesApi', ({ database, natsConnection, noteEvents }, { onCleanup }) =>
    notesApi(
      { ...database.env, ...natsEnv(natsConnection), NOTES_SUBJECT_PREFIX: noteEvents.prefix },
      onCleanup,
    ),
  )
  // With Redis: the service caches under the test's own key prefix; the keys are removed after it.
  .extend('notesCache', async ({ redisConnection }, { onCleanup }) => {
    const scope = await testRedisScope(redisConnection, { label: 'notes' })
    onCleanup(() => scope.release())
    return scope
  })
  .extend('cachingNotesApi', ({ database, redisConnection, notesCache }, { onCleanup }) =>
    notesApi(
      { ...database.env, ...redisEnv(redisConnection), NOTES_CACHE_PREFIX: notesCache.keyPrefix },
      onCleanup,
    ),
  )
export { describe, expect } from 'vitest'
