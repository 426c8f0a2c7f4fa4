import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chown, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Where initialised clusters are kept between runs: `TESTBED_POSTGRES_CLUSTER_CACHE`, else
 * `$XDG_CACHE_HOME/testbed/postgres-clusters` (`~/.cache/…`); `off` runs initdb every time.
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
}

const COMPLETE = 'complete'

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

/** An entry is whole once its marker exists: it is renamed into place only after it was written. */
async function readEntry(entry: string): Promise<string | undefined> {
  if (!existsSync(join(entry, COMPLETE)) || !existsSync(join(entry, 'data', 'PG_VERSION'))) return undefined
  return (await readFile(join(entry, 'password'), 'utf8').catch(() => '')).trim() || undefined
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

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Half-built entries of runs that died while building (`<key>.tmp-<pid>-…`), and entries set aside. */
async function sweep(root: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [])) {
    const building = /\.tmp-(\d+)-/.exec(name)
    if ((building && !isAlive(Number(building[1]))) || name.includes('.stale-'))
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
    await writeFile(join(building, COMPLETE), `${new Date().toISOString()}\n`)
    await rename(building, entry)
  } finally {
    await rm(building, { recursive: true, force: true }).catch(() => {})
  }
}

/**
 * Creates the cluster in `data`: a copy of the cached one for this server version and these options
 * when there is one (a copy takes a fraction of initdb's time), else by running initdb and caching
 * the result. Resolves to the `postgres` role's password. A cache that cannot be read or written
 * never fails the start: initdb runs as before.
 */
export async function initCluster(o: InitClusterOptions): Promise<{ password: string; cached: boolean }> {
  const root = clusterCacheDir(o.env)
  if (!root) {
    await runInitdb(o, o.secret)
    return { password: o.secret, cached: false }
  }
  const entry = join(root, await cacheKey(o))
  const password = await readEntry(entry)
  if (password) {
    o.progress('copying the cached cluster')
    try {
      await copyTree(join(entry, 'data'), o.data)
      return { password, cached: true }
    } catch {
      await rm(o.data, { recursive: true, force: true })
    }
  } else if (existsSync(entry)) {
    // A partial or corrupt entry (not made by store, or damaged since): set aside, then rebuilt.
    await rename(entry, `${entry}.stale-${randomBytes(4).toString('hex')}`).catch(() => {})
  }
  await runInitdb(o, o.secret)
  await store(root, entry, o.data, o.secret).catch(() => {})
  return { password: o.secret, cached: false }
}
