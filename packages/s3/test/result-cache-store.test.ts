// The result cache in S3 (s3ResultStore): nested runs of a fixture suite against Testbed's S3 emulator
// in this process and against one in another process, each reached through the variables (`env`).
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { runVitest } from '@testbed/test-support/run-vitest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ensureBucket } from '../src/buckets.ts'
import { s3Client } from '../src/client.ts'
import type { S3Found } from '../src/connection.ts'
import { type S3Emulator, startS3Emulator } from '../src/emulator/index.ts'
import { type OutsideEmulator, outsideEmulator } from './outside-emulator.ts'

const fixture = new URL('./fixtures/result-cache-s3', import.meta.url).pathname
const FILES = ['tests/one.test.ts', 'tests/three.test.ts', 'tests/two.test.ts']
const NESTED_RUNS = { timeout: 180_000 }
const KEYS = { accessKeyId: 'CACHETESTKEY', secretAccessKey: 'cache-test-secret' }

const run = async (env: Record<string, string>) => {
  // TESTBED_CACHE_VERBOSE: each hit listed with its reason, which is what is checked here.
  const nested = await runVitest({
    fixture,
    env: { CI: '', TESTBED_CACHE_VERBOSE: '1', ...env },
    timeoutMs: 120_000,
  })
  const fromCache = [...nested.stderr.matchAll(/^ {3}↓ \[main\] (\S+) — cached: passed at /gm)].map(
    (m) => m[1],
  )
  return { ...nested, fromCache: fromCache.sort() }
}

async function objectsIn(found: S3Found, bucket: string): Promise<string[]> {
  const s3 = s3Client(found)
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'results/' }))
    return (page.Contents ?? []).map((o) => o.Key as string)
  } finally {
    s3.destroy()
  }
}

const partition = (keys: string[], test: (key: string) => boolean): [string[], string[]] => [
  keys.filter(test),
  keys.filter((k) => !test(k)),
]

async function coldThenWarm(found: S3Found, env: Record<string, string>, bucket: string) {
  const s3 = s3Client(found)
  await ensureBucket(s3, bucket).finally(() => s3.destroy())
  const cold = await run({ ...env, FIXTURE_BUCKET: bucket })
  expect(cold.code).toBe(0)
  expect(cold.stderr).toContain(
    `Result cache (s3://${bucket}/results/, readwrite): 0 from cache, 3 run, 3 stored`,
  )
  const [history, objects] = partition(await objectsIn(found, bucket), (k) =>
    k.startsWith('results/history/'),
  )
  expect(objects).toHaveLength(3)
  for (const key of objects) expect(key).toMatch(/^results\/[0-9a-f]{64}\.json$/)
  // The run's flakiness history, beside the entries (history-store.test.ts tests it).
  expect(history).toHaveLength(1)
  const warm = await run({ ...env, FIXTURE_BUCKET: bucket })
  expect(warm.code).toBe(0)
  expect(warm.fromCache).toEqual(FILES)
  expect(warm.tests).toEqual([])
  expect(warm.stderr).toContain(': 3 from cache, 0 run')
}

describe('s3ResultStore', { tags: ['tier2'] }, () => {
  let emulator: S3Emulator
  let found: S3Found
  let env: Record<string, string>
  beforeAll(async () => {
    emulator = await startS3Emulator({ credentials: [KEYS] })
    found = { endpoint: emulator.url, region: 'us-east-1', ...KEYS, credentialsSource: 'the test' }
    env = {
      AWS_ENDPOINT_URL_S3: emulator.url,
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    }
  })
  afterAll(() => emulator?.close())

  test(
    "against the S3 emulator: a cold run stores each file in the document's bucket, a warm one pulls",
    NESTED_RUNS,
    () => coldThenWarm(found, env, 'ft-cache-e2e'),
  )

  test('a bucket that is not there: a cold run with a warning, nothing wrong', NESTED_RUNS, async () => {
    const missing = await run({ ...env, FIXTURE_BUCKET: 'no-such-cache-bucket' })
    expect(missing.code).toBe(0)
    expect(missing.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'passed'])
    expect(missing.stderr).toMatch(
      /⚠ result cache: the store \(s3:\/\/no-such-cache-bucket\/results\/\) could not be read, so 'main' runs cold: .*bucket/i,
    )
  })

  test('no S3 named by the variables: a cold run that says which variables', NESTED_RUNS, async () => {
    const none = await run({})
    expect(none.code).toBe(0)
    expect(none.tests).toHaveLength(3)
    expect(none.stderr).toContain('runs cold: neither AWS_ENDPOINT_URL_S3 nor S3_ENDPOINT is set')
  })
})

describe('s3ResultStore against an S3 in another process', { tags: ['tier2'] }, () => {
  let outside: OutsideEmulator
  beforeAll(async () => {
    outside = await outsideEmulator()
  })
  afterAll(() => {
    outside?.child.kill()
  })

  test(
    'through env: cold stores, warm pulls; once it is gone, a cold run with a warning',
    NESTED_RUNS,
    async () => {
      const found: S3Found = {
        endpoint: outside.endpoint,
        region: 'us-east-1',
        accessKeyId: outside.env.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: outside.env.AWS_SECRET_ACCESS_KEY as string,
        credentialsSource: 'the test',
      }
      await coldThenWarm(found, outside.env, 'ft-cache-e2e')
      outside.child.kill()
      await new Promise((resolve) => outside.child.once('exit', resolve))
      const gone = await run({ ...outside.env, FIXTURE_BUCKET: 'ft-cache-e2e' })
      expect(gone.code).toBe(0)
      expect(gone.fromCache).toEqual([])
      expect(gone.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'passed'])
      expect(gone.stderr).toMatch(/runs cold: .*ECONNREFUSED/)
    },
  )
})
