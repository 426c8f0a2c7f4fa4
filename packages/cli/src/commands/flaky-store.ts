// Which history `testbed flaky` reads: `--store s3://bucket/prefix/` (the result cache's S3 store, as
// its summary line names it; the endpoint and key pair from the S3 plugin's variables) or a local
// file or directory; else the repository's config decides (core's reportHistoryStore).
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import {
  HISTORY_VARIABLE,
  type HistoryStore,
  LocalHistoryStore,
  reportHistoryStore,
} from '@testbed/core/config'
import { CliError } from '../cli-error.js'
import { configRoot } from '../config-root.js'
import { loadConfig } from '../load-config.js'

/** What the cli takes from @testbed/s3/config (imported from the repository, so not typed from it). */
interface S3Config {
  s3HistoryStore(options: { bucket: string; prefix?: string }): HistoryStore
}

/** @testbed/s3 as the repository installed it, else beside this cli (which does not depend on it). */
async function s3Package(cwd: string): Promise<S3Config> {
  let root = cwd
  try {
    root = configRoot(cwd)
  } catch {}
  let failure: unknown
  for (const from of [join(root, 'package.json'), import.meta.url]) {
    try {
      return (await import(createRequire(from).resolve('@testbed/s3/config'))) as S3Config
    } catch (error) {
      failure ??= error
    }
  }
  throw new CliError(
    `--store s3://… reads the history through @testbed/s3, which is not installed here (${(failure as Error).message.split('\n')[0]})`,
    2,
  )
}

/** `--store`'s value as a store. */
export async function storeFromOption(value: string, cwd: string): Promise<HistoryStore> {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value)
  if (s3) {
    const [, bucket, rest = ''] = s3
    // As the result store's prefix: `s3://b/results` and `s3://b/results/` both mean `results/`.
    const prefix = rest && !rest.endsWith('/') ? `${rest}/` : rest
    const { s3HistoryStore } = await s3Package(cwd)
    return s3HistoryStore({ bucket: bucket as string, prefix })
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw new CliError(`--store must be s3://bucket/prefix or a local path (got '${value}')`, 2)
  const path = resolve(cwd, value)
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'history.jsonl') : path
  return new LocalHistoryStore(file)
}

/** The store named on the command line, else the one the repository's config and variables choose. */
export async function flakyStore(cwd: string, config?: string, store?: string): Promise<HistoryStore> {
  if (store !== undefined) return storeFromOption(store, cwd)
  const setting = process.env[HISTORY_VARIABLE]?.trim()
  if (setting === 'off')
    throw new CliError(`${HISTORY_VARIABLE} is off: no history is kept, so there is nothing to report`)
  // TESTBED_HISTORY names the file whatever the config says: no need to load it.
  if (setting) return reportHistoryStore(configRoot(cwd, config), undefined) as HistoryStore
  const { testbed, root } = await loadConfig(cwd, config)
  try {
    return reportHistoryStore(root, testbed.resultCache) as HistoryStore
  } catch (error) {
    throw new CliError((error as Error).message, 2) // a bad TESTBED_CACHE
  }
}
