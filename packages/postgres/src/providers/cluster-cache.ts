import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import {
  chown,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { processAlive } from '@testbed/core/config'

const run = promisify(execFile)

/**
 * Where initialised clusters are kept between runs: `TESTBED_POSTGRES_CLUSTER_CACHE`, else
 * `$XDG_CACHE_HOME/testbed/postgres-clusters` (`~/.cache/…`); `off` runs initdb (and the
 * migrations) every time.
 */
export function clusterCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.TESTBED_POSTGRES_CLUSTER_CACHE
  if (configured === 'off') return undefined
  if (configured) return configured
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'testbed', 'postgres-clusters')
}

export interface InitClusterOptions {
  initdb: string
  /** The data directory to create (it must not exist yet). */
  data: string
  /** initdb's options besides `-D` and the password file: the cache key covers them. */
  options: string[]
  /** Where a password file may be written (readable by `ids`). */
  scratch: string
  /** The user initdb and the server run as (when we are root). */
  ids?: { uid: number; gid: number } | undefined
  env: NodeJS.ProcessEnv
  /** A fresh password, used when initdb runs (a cached cluster comes with its own). */
  secret: string
  progress(message: string): void
  /** Something the user should know (a damaged cache entry), though the start goes on. */
  warn(message: string): void
  /**
   * The migrated template to keep inside the cached cluster: `key` names the schema (the migrations'
   * digest), `build` starts a server on the cluster in `data`, migrates the template and stops it.
   */
  template?: { key: string; build(data: string): Promise<void> } | undefined
}

const COMPLETE = 'complete'
/** Each entry's files and their sizes, written when it is stored: a copy checks the entry against it. */
const MANIFEST = 'manifest'
/** Entries kept: the most recently used ones (a copy or a build touches its entry), older ones pruned. */
export const KEEP_ENTRIES = 6

/**
 * What decides that two clusters are the same: the server version (initdb's real path, size and
 * modification time: another version or an upgrade changes them), initdb's options, and the owner.
 */
async function cacheKey(o: InitClusterOptions): Promise<string> {
  const binary = await realpath(o.initdb)
  const { size, mtimeMs } = await stat(binary)
  const owner = o.ids ? `${o.ids.uid}:${o.ids.gid}` : String(process.getuid?.() ?? '')
  const identity = JSON.stringify({ binary, size, mtimeMs, options: o.options, owner })
  return `pg-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`
}

/** The regular files under `data`, with their sizes, sorted: what the manifest records. */
async function filesOf(data: string): Promise<string> {
  const paths = (await readdir(data, { recursive: true, withFileTypes: true }))
    .filter((f) => f.isFile())
    .map((f) => join(f.parentPath, f.name))
  // All at once: a cluster has over a thousand files, and one stat after another takes several times longer.
  const sizes = await Promise.all(paths.map(async (path) => (await stat(path)).size))
  return `${paths
    .map((path, i) => `${relative(data, path)}\t${sizes[i]}`)
    .sort()
    .join('\n')}\n`
}

type Entry =
  | { state: 'whole'; password: string; manifest: string }
  | { state: 'missing' }
  | { state: 'outdated' }
  | { state: 'damaged'; why: string }

/**
 * An entry is whole once its marker exists: it is renamed into place only after it was written,
 * with its manifest (its files and their sizes), which the copy is checked against.
 */
async function readEntry(entry: string): Promise<Entry> {
  if (!existsSync(entry)) return { state: 'missing' }
  if (!existsSync(join(entry, COMPLETE))) return { state: 'damaged', why: 'it was never completed' }
  const password = (await readFile(join(entry, 'password'), 'utf8').catch(() => '')).trim()
  if (!password) return { state: 'damaged', why: 'its password file is missing' }
  const manifest = await readFile(join(entry, MANIFEST), 'utf8').catch(() => undefined)
  // Made before entries had manifests (Testbed before session 18): replaced without a word.
  if (manifest === undefined) return { state: 'outdated' }
  return { state: 'whole', password, manifest }
}

async function runInitdb(o: InitClusterOptions, password: string): Promise<void> {
  const passwordFile = join(o.scratch, `pwfile-${randomBytes(4).toString('hex')}`)
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 })
  if (o.ids) await chown(passwordFile, o.ids.uid, o.ids.gid)
  o.progress('initdb')
  try {
    await run(o.initdb, ['-D', o.data, `--pwfile=${passwordFile}`, ...o.options], { ...o.ids, env: o.env })
  } catch (error) {
    throw new Error(
      `initdb failed: ${((error as { stderr?: string }).stderr || (error as Error).message).trim()}`,
    )
  } finally {
    await rm(passwordFile, { force: true })
  }
}

/** `cp -a`: keeps the owner (the `postgres` user when we are root) and the data dir's 0700. */
const copyTree = (from: string, to: string) => run('cp', ['-a', from, to])

/** Half-built entries of runs that died while building (`<key>.tmp-<pid>-…`), and entries set aside. */
async function sweep(root: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [])) {
    const building = /\.tmp-(\d+)-/.exec(name)
    if ((building && !processAlive(Number(building[1]))) || name.includes('.stale-'))
      await rm(join(root, name), { recursive: true, force: true }).catch(() => {})
  }
}

/**
 * Adds the freshly initialised `data` to the cache. Concurrent runs each build in a directory of
 * their own and rename it into place: the first rename wins, a later one finds the entry there
 * (ENOTEMPTY/EEXIST) and throws its own away. Either way both runs go on with their clusters.
 */
async function store(root: string, entry: string, data: string, password: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 })
  await sweep(root)
  const building = `${entry}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await mkdir(building, { mode: 0o700 })
    await copyTree(data, join(building, 'data'))
    await writeFile(join(building, 'password'), `${password}\n`, { mode: 0o600 })
    await writeFile(join(building, MANIFEST), await filesOf(join(building, 'data')))
    await writeFile(join(building, COMPLETE), `${new Date().toISOString()}\n`)
    await rename(building, entry)
  } finally {
    await rm(building, { recursive: true, force: true }).catch(() => {})
  }
  await prune(root, KEEP_ENTRIES)
}

/** Marks an entry used now: pruning keeps the most recently used. */
const touch = (entry: string) => {
  const now = new Date()
  return utimes(entry, now, now).catch(() => {})
}

/**
 * Keeps the `keep` most recently used entries and removes the others: each is first renamed aside
 * (atomic), so a run that reads it meanwhile sees a whole entry or none; a copy that fails half-way
 * falls back to building its own.
 */
export async function prune(root: string, keep: number): Promise<void> {
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) =>
    /^pg-[0-9a-f]+(-tpl-[0-9a-f]+)?$/.test(n),
  )
  const used = await Promise.all(
    names.map(async (name) => ({
      name,
      at: (await stat(join(root, name)).catch(() => undefined))?.mtimeMs ?? 0,
    })),
  )
  for (const { name } of used.sort((a, b) => b.at - a.at).slice(keep)) {
    const aside = join(root, `${name}.stale-${randomBytes(4).toString('hex')}`)
    if (
      await rename(join(root, name), aside).then(
        () => true,
        () => false,
      )
    )
      await rm(aside, { recursive: true, force: true }).catch(() => {})
  }
}

/**
 * Copies a whole entry into `data`. Its files are checked against its manifest while `cp` runs: a
 * file lost or truncated since it was stored (a disk that filled up, a cleaner that deleted old
 * files) would otherwise make a server that fails to start, or worse, one with a broken template.
 * An entry found damaged is said so and set aside, to be rebuilt.
 */
async function copyEntry(o: InitClusterOptions, entry: string, what: string): Promise<string | undefined> {
  let found = await readEntry(entry)
  if (found.state === 'missing') return undefined
  if (found.state === 'whole') {
    o.progress(`copying the cached ${what}`)
    const [copied, files] = await Promise.all([
      copyTree(join(entry, 'data'), o.data).then(
        () => true,
        () => false,
      ),
      filesOf(join(entry, 'data')).catch(() => ''),
    ])
    if (copied && files === found.manifest) {
      await touch(entry)
      return found.password
    }
    await rm(o.data, { recursive: true, force: true })
    // A copy that failed with the entry whole (it was pruned meanwhile, say): build, keep the entry.
    if (files === found.manifest) return undefined
    found = { state: 'damaged', why: 'its files differ from its manifest' }
  }
  if (found.state === 'damaged')
    o.warn(`the cached ${what} ${entry} is damaged (${found.why}): setting it aside and building it again`)
  await rename(entry, `${entry}.stale-${randomBytes(4).toString('hex')}`).catch(() => {})
  return undefined
}

/**
 * Creates the cluster in `data`. With a template to keep: a copy of the cached cluster of this server
 * version, these options and this schema (the template already migrated in it) when there is one;
 * else the initialised cluster is had as below, the template built in it, and the result cached under
 * its own key. Without: a copy of the cached initialised cluster (a copy takes a fraction of
 * initdb's time), else initdb, then cached. Resolves to the `postgres` role's password. A cache that
 * cannot be read or written never fails the start: initdb (and the migrations) run as before.
 */
export async function initCluster(
  o: InitClusterOptions,
): Promise<{ password: string; cached: 'template' | 'cluster' | false }> {
  const root = clusterCacheDir(o.env)
  if (!root) {
    await runInitdb(o, o.secret)
    return { password: o.secret, cached: false }
  }
  const base = join(root, await cacheKey(o))
  const withTemplate = o.template && `${base}-tpl-${o.template.key}`
  if (withTemplate) {
    const password = await copyEntry(o, withTemplate, 'cluster with its migrated template')
    if (password) return { password, cached: 'template' }
  }
  let password = await copyEntry(o, base, 'cluster')
  const cached = password ? 'cluster' : false
  if (!password) {
    password = o.secret
    await runInitdb(o, password)
    await store(root, base, o.data, password).catch(() => {})
  }
  // A migration that fails is the run's to report (the template is built again when provisioning,
  // with the file and line); the cluster is cached without it, as it is.
  if (
    o.template &&
    withTemplate &&
    (await o.template.build(o.data).then(
      () => true,
      () => false,
    ))
  )
    await store(root, withTemplate, o.data, password).catch(() => {})
  return { password, cached }
}
