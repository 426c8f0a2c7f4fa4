// The flakiness history in S3, beside the result cache's entries (docs/flakiness.md): one object per
// run, `<prefix>history/<yyyy-mm-dd>/<time>-<run>.jsonl`, so runs on many machines never write the
// same object (no read-modify-write) and a key's name orders it by time.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import {
  type HistoryStore,
  type HistoryWindow,
  inWindow,
  type PruneResult,
  parseHistoryLines,
  type TestOutcomeRecord,
} from '@testbed/core/config'
import { s3Client } from './client.js'
import type { S3Found } from './connection.js'
import { fromEnv } from './providers/env.js'

export interface S3HistoryStoreOptions {
  bucket: string
  /** The result cache's prefix (`results/`): the history is under `<prefix>history/`. */
  prefix?: string
  /** Where S3 is; default: the variables the `env` provider reads, as `s3ResultStore`. */
  endpoint?: S3Found
  /** Objects fetched at once when reading (default 16). */
  concurrency?: number
  /** Keys a ListObjectsV2 page asks for (default S3's 1,000). */
  pageSize?: number
  /** For the SDK client; default one attempt, so an unreachable store is said at once. */
  client?: S3ClientConfig
}

const DAY = /^\d{4}-\d{2}-\d{2}$/
/** `2026-12-01T14:16:11.627Z` → `2026-12-01/141611.627Z`: sorts as the time does, no `:` in keys. */
const keyTime = (at: string) => {
  const iso = new Date(at).toISOString()
  return `${iso.slice(0, 10)}/${iso.slice(11).replaceAll(':', '')}`
}

/** The history in the bucket; `connect` is shared with the result store when it comes from one. */
export function s3HistoryStore(options: S3HistoryStoreOptions, connect?: () => S3Client): HistoryStore {
  const base = `${options.prefix ?? ''}history/`
  const concurrency = options.concurrency ?? 16
  let own: S3Client | undefined
  const client =
    connect ??
    (() => {
      own ??= s3Client(options.endpoint ?? fromEnv(process.env).connection, {
        maxAttempts: 1,
        ...options.client,
      })
      return own
    })
  const location = `s3://${options.bucket}/${base}`

  /** Every run's key from the day of `since` on (or all), in key order: ListObjectsV2 page by page. */
  async function keys(since?: Date): Promise<string[]> {
    const found: string[] = []
    let token: string | undefined
    do {
      const page = await client().send(
        new ListObjectsV2Command({
          Bucket: options.bucket,
          Prefix: base,
          ...(options.pageSize && { MaxKeys: options.pageSize }),
          ...(since && !token && { StartAfter: `${base}${since.toISOString().slice(0, 10)}` }),
          ...(token && { ContinuationToken: token }),
        }),
      )
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.jsonl')) found.push(o.Key)
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    return found
  }

  /** The time a key was named for (a prefix of the run's `at`), to compare with a window's start. */
  const timeOf = (key: string) => key.slice(base.length, base.length + 10 + 1 + 11)
  const cutOf = (date: Date) => keyTime(date.toISOString())

  return {
    location,
    async append(records: readonly TestOutcomeRecord[]) {
      const runs = new Map<string, TestOutcomeRecord[]>()
      for (const r of records) runs.set(r.run, [...(runs.get(r.run) ?? []), r])
      for (const [run, own] of runs) {
        const at = (own[0] as TestOutcomeRecord).at
        await client().send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: `${base}${keyTime(at)}-${run}.jsonl`,
            Body: own.map((r) => `${JSON.stringify(r)}\n`).join(''),
            ContentType: 'application/x-ndjson',
          }),
        )
      }
    },
    async read(window: HistoryWindow = {}) {
      let listed = await keys(window.since)
      if (window.since) {
        const cut = cutOf(window.since)
        listed = listed.filter((k) => timeOf(k) >= cut)
      }
      // One object is one run: only the last `runs` of them need fetching.
      if (window.runs) listed = listed.slice(-window.runs)
      const texts: string[] = new Array(listed.length)
      let next = 0
      const worker = async () => {
        while (next < listed.length) {
          const i = next++
          const object = await client().send(new GetObjectCommand({ Bucket: options.bucket, Key: listed[i] }))
          texts[i] = (await object.Body?.transformToString('utf8')) ?? ''
        }
      }
      await Promise.all(Array.from({ length: Math.min(concurrency, listed.length) }, worker))
      // A PUT lands whole: any line that is not a record is damage, named by its object.
      const records = listed.flatMap((key, i) =>
        parseHistoryLines(texts[i] as string, `s3://${options.bucket}/${key}`, false),
      )
      return inWindow(records, window)
    },
    async prune(before: Date): Promise<PruneResult> {
      const cut = cutOf(before)
      const all = await keys()
      const old = all.filter((k) => {
        const day = k.slice(base.length, base.length + 10)
        return DAY.test(day) && timeOf(k) < cut
      })
      // DeleteObjects takes 1,000 keys a request. Runs appending meanwhile write keys of their own.
      for (let i = 0; i < old.length; i += 1000) {
        const batch = old.slice(i, i + 1000)
        const result = await client().send(
          new DeleteObjectsCommand({
            Bucket: options.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        )
        const failed = result.Errors ?? []
        if (failed.length)
          throw new Error(
            `${location}: ${failed.length} of ${batch.length} objects not deleted (${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message})`,
          )
      }
      return { removed: old.length, kept: all.length - old.length }
    },
  }
}
