// The result cache of a run (docs/result-cache.md): in each pipeline's configureVitest, the files
// whose stored pass still holds are taken out of the project's files (so they are neither loaded nor
// run, and the services only they need never start); at the end of the run, each file that passed
// whole is stored with the modules Vitest recorded it loading.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { glob } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, matchesGlob, relative, resolve } from 'node:path'
import type { TestModule, TestProject, Vitest } from 'vitest/node'
import { servicesRequiredBy } from '../../shared/requirement.js'
import { commandLineFileFilters, matchesFileFilters } from '../command-line-files.js'
import type { ServiceDefinition } from '../define-service.js'
import { isSet, SKIP_CACHE } from '../policy/skip-variables.js'
import { type CacheMode, cacheMode, verifyRate } from './cache-mode.js'
import { canonicalDigest, FileDigests, sha256 } from './file-digests.js'
import { checkInputPatterns, type InputsPart, inputsPart } from './inputs.js'
import { LocalResultStore } from './local-store.js'
import { serviceFingerprint } from './service-fingerprint.js'
import type { CacheEntry, CacheRecord, ResultStore } from './store.js'

export interface ResultCacheOptions {
  /** A store (`s3ResultStore(…)` from @testbed/s3/config) or a directory; default `.testbed/cache` under the root. */
  store?: ResultStore | string
  /** Default: `read` in CI (`CI` set), `readwrite` elsewhere; `TESTBED_CACHE` overrides. */
  mode?: CacheMode
  /** Variables whose value can change a result (besides Testbed's own); default `NODE_ENV`, `TZ`. */
  env?: string[]
  /** Share of hits re-run anyway (0–1); `TESTBED_CACHE_VERIFY` overrides. Default 0. */
  verify?: number
  /**
   * Files the tests depend on outside the module graph (what a spawned process runs, fixtures read
   * with fs): globs relative to the root (`fixtures/**`), hashed into every key; a change re-runs every file.
   */
  inputs?: string[]
}

export const DEFAULT_CACHE_DIR = '.testbed/cache'
const DEFAULT_ENV = ['NODE_ENV', 'TZ']
const LOCKFILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'npm-shrinkwrap.json']

export interface Hit {
  project: string
  file: string
  entry: CacheEntry
}

interface Candidate {
  project: string
  /** Absolute. */
  file: string
  key: string
  statics: Omit<KeyedRecord, 'modules' | 'services'>
  /** The stored entry a sampled hit is checked against. */
  verifying?: CacheEntry
}

type Strictness = CacheRecord['strictness']

/** A record with the inputs' digest, when `inputs` is set (absent otherwise, so older keys still hold). */
type KeyedRecord = CacheRecord & { inputs?: InputsPart }

const escapeGlob = (path: string) => path.replace(/[*?[\]{}()!@+\\]/g, '\\$&')
const vitestVersion = () =>
  (createRequire(import.meta.url)('vitest/package.json') as { version: string }).version

function shortCommit(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim()
  } catch {
    return 'unknown'
  }
}

function findLockfile(root: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    for (const name of LOCKFILES) if (existsSync(join(dir, name))) return join(dir, name)
    if (dirname(dir) === dir) return undefined
  }
}

interface DependenciesRecorder {
  record(project: TestProject, filepath: string, dependencies: string[]): void
  resolveFiles(project: TestProject, dependencies: string[]): string[]
}

/** One Vitest run's cache: made by the first pipeline's configureVitest, ended by the reporter. */
export class RunResultCache {
  readonly mode: CacheMode
  readonly store: ResultStore
  readonly hits: Hit[] = []
  readonly warnings: string[] = []
  readonly defects: string[] = []
  readonly stored = { count: 0 }
  lookupMs = 0
  private readonly rate: number
  private readonly root: string
  private readonly digests = new FileDigests()
  private readonly candidates = new Map<string, Candidate>()
  /** project name + '\0' + file → the modules Vitest recorded it loading (absolute). */
  private readonly loaded = new Map<string, string[]>()
  private readonly fingerprints = new Map<string, Promise<unknown>>()
  private readonly services: ReadonlyMap<string, ServiceDefinition<unknown>>
  private readonly commit: string
  private readonly env: NodeJS.ProcessEnv
  private readonly inputs: string[]
  private shared: Promise<Pick<KeyedRecord, 'config' | 'lockfile' | 'runtime' | 'env' | 'inputs'>> | undefined
  private readSkipped: string | undefined
  private recording = false

  constructor(
    private readonly vitest: Vitest,
    options: ResultCacheOptions,
    services: readonly ServiceDefinition<unknown>[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.env = env
    this.root = vitest.config.root
    this.mode = cacheMode(options.mode, env)
    this.rate = verifyRate(options.verify, env)
    this.inputs = checkInputPatterns(options.inputs)
    this.envNames = [...new Set([...DEFAULT_ENV, ...(options.env ?? [])])].sort()
    this.store =
      typeof options.store === 'object'
        ? options.store
        : new LocalResultStore(resolve(this.root, options.store ?? DEFAULT_CACHE_DIR))
    this.services = new Map(services.map((s) => [s.name, s]))
    this.commit = this.mode === 'off' ? 'unknown' : shortCommit(this.root)
    // TESTBED_SKIP_CACHE (where the policy permits it): nothing from before this run is trusted.
    if (isSet(env[SKIP_CACHE])) this.readSkipped = `${SKIP_CACHE} is set`
  }

  private readonly envNames: string[]

  private rel(file: string) {
    return relative(this.root, file)
  }

  private sharedParts() {
    this.shared ??= (async () => {
      const lockfile = findLockfile(this.root)
      const configFiles = [
        ...new Set([
          this.vitest.vite.config.configFile,
          ...(this.vitest.vite.config.configFileDependencies ?? []),
        ]),
      ].filter((f): f is string => !!f && !f.includes('/node_modules/'))
      const config: Record<string, string> = {}
      for (const f of configFiles) config[this.rel(f)] = (await this.digests.of(f)) ?? 'missing'
      return {
        config,
        lockfile: lockfile ? await this.digests.of(lockfile) : null,
        runtime: {
          vitest: vitestVersion(),
          node: process.version,
          platform: process.platform,
          arch: process.arch,
        },
        env: Object.fromEntries(
          this.envNames.map((n) => [n, this.env[n] === undefined ? null : sha256(this.env[n])]),
        ),
        // Only with inputs, so that the keys of a config without them stay as they were.
        ...(this.inputs.length > 0 && { inputs: await inputsPart(this.root, this.inputs, this.digests) }),
      }
    })()
    return this.shared
  }

  private fingerprint(name: string): Promise<unknown> {
    let f = this.fingerprints.get(name)
    if (!f) {
      f = Promise.resolve(serviceFingerprint(this.services.get(name), name, this.env)).catch(
        (error: Error) => ({ error: error.message }),
      )
      this.fingerprints.set(name, f)
    }
    return f
  }

  private async currentRecord(statics: Candidate['statics'], modules: string[], services: string[]) {
    const record: KeyedRecord = {
      ...statics,
      modules: Object.fromEntries(
        await Promise.all(
          modules.map(async (m) => [m, (await this.digests.of(resolve(this.root, m))) ?? 'missing']),
        ),
      ),
      services: Object.fromEntries(
        await Promise.all(services.sort().map(async (s) => [s, await this.fingerprint(s)])),
      ),
    }
    return record
  }

  /** Vitest records each file's loaded modules only when asked; its own record is kept as it was. */
  private recordModules(): void {
    if (this.recording) return
    this.recording = true
    const recorder = (this.vitest.cache as unknown as { _dependencies?: DependenciesRecorder })._dependencies
    if (typeof recorder?.record !== 'function' || typeof recorder.resolveFiles !== 'function') {
      this.warnings.push("this Vitest does not record test files' modules: nothing is stored")
      return
    }
    const own = recorder.record.bind(recorder)
    recorder.record = (project, filepath, dependencies) => {
      this.loaded.set(`${project.name}\0${filepath}`, recorder.resolveFiles(project, dependencies))
      own(project, filepath, dependencies)
    }
    this.vitest.config.experimental.recordDependencies = true
  }

  /** Takes this pipeline's hits out of its files; the rest run, and are recorded to be stored. */
  async configureProject(project: TestProject, tagsFilter: string[], strictness: Strictness): Promise<void> {
    if (this.mode === 'off') return
    const started = performance.now()
    if (this.mode === 'readwrite' || this.rate > 0) this.recordModules()
    const { include, exclude } = project.config
    const dir = project.config.dir || project.config.root
    const excluded = (path: string) =>
      exclude.some((g) => matchesGlob(path, g) || matchesGlob(`${path}/_`, g))
    const filters = commandLineFileFilters()
    const files: string[] = []
    for await (const path of glob(include, { cwd: dir, exclude: excluded }))
      if (matchesFileFilters(join(dir, path), filters, dir)) files.push(join(dir, path))
    const shared = await this.sharedParts()
    const own: Candidate[] = files.map((file) => {
      const statics = {
        version: 1 as const,
        project: project.name,
        file: this.rel(file),
        ...shared,
        tagsFilter: [...tagsFilter],
        strictness: {
          require: [...strictness.require].sort(),
          requireFromEnv: [...strictness.requireFromEnv].sort(),
          real: [...strictness.real].sort(),
        },
      }
      return { project: project.name, file, key: canonicalDigest(statics), statics }
    })
    for (const c of own) this.candidates.set(`${c.project}\0${c.file}`, c)
    if (this.readSkipped) return
    // In watch mode a left-out file would stay out when it is edited: watch runs use no hits.
    if (this.vitest.config.watch) return
    let found: Map<string, CacheEntry>
    try {
      found = await this.store.getMany(own.map((c) => c.key))
    } catch (error) {
      this.warnings.push(
        `the store (${this.store.description}) could not be read, so '${project.name}' runs cold: ${(error as Error).message}`,
      )
      return
    }
    const hits: Candidate[] = []
    await Promise.all(
      own.map(async (c) => {
        const entry = found.get(c.key)
        if (!entry?.record || entry.record.file !== c.statics.file || entry.record.project !== c.project)
          return
        const record = await this.currentRecord(
          c.statics,
          Object.keys(entry.record.modules ?? {}),
          Object.keys(entry.record.services ?? {}),
        )
        if (canonicalDigest(record) !== entry.digest) return
        if (this.rate > 0 && Math.random() < this.rate) c.verifying = entry
        else hits.push(c)
      }),
    )
    for (const c of hits) {
      const entry = found.get(c.key) as CacheEntry
      this.hits.push({ project: c.project, file: c.statics.file, entry })
    }
    if (hits.length) {
      // A new list: projects may share the resolved one. Every file a hit: no include at all, so that
      // Vitest's "No test files found" does not list each file as excluded.
      if (hits.length === own.length) project.config.include = []
      else
        project.config.exclude = [
          ...project.config.exclude,
          ...hits.map((c) => escapeGlob(relative(dir, c.file))),
        ]
      // Every file of a pipeline may be a hit: that is a pass, not "No test files found".
      this.vitest.config.passWithNoTests = true
      project.config.passWithNoTests = true
    }
    this.lookupMs += performance.now() - started
  }

  /** The sampled hits that failed, loudly, with their entries removed; the whole passes stored. */
  async endRun(modules: readonly TestModule[]): Promise<void> {
    if (this.mode === 'off' || (this.vitest as { isCancelling?: boolean }).isCancelling) return
    const puts: Promise<void>[] = []
    for (const module of modules) {
      const candidate = this.candidates.get(`${module.project.name}\0${module.moduleId}`)
      if (!candidate) continue
      const whole = passedWhole(module)
      if (candidate.verifying && !whole) {
        this.defects.push(
          `CACHE DEFECT: [${candidate.project}] ${candidate.statics.file} was stored as passed at ${candidate.verifying.commit} (${candidate.verifying.date}) with the same key, and failed when re-run: its entry is removed`,
        )
        puts.push(this.store.delete(candidate.key))
      }
      if (!whole || this.mode !== 'readwrite') continue
      const loaded = this.loaded.get(`${module.project.name}\0${module.moduleId}`)
      if (!loaded) continue
      const modulesOf = [...new Set([module.moduleId, ...loaded])]
        .filter((m) => isAbsolute(m))
        .map((m) => this.rel(m))
      const services = [
        ...new Set([...module.children.allTests()].flatMap((t) => servicesRequiredBy(t.tags))),
      ]
      puts.push(
        (async () => {
          const record = await this.currentRecord(candidate.statics, modulesOf, services)
          await this.store.put(candidate.key, {
            digest: canonicalDigest(record),
            record,
            commit: this.commit,
            date: new Date().toISOString(),
          })
          this.stored.count++
        })(),
      )
    }
    const results = await Promise.allSettled(puts)
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed)
      this.warnings.push(
        `the store (${this.store.description}) could not be written: ${(failed.reason as Error).message}`,
      )
  }
}

/**
 * Passed as a whole: every test passed or was left out without a reason (a tags filter, `.skip`),
 * none skipped with a reason (a missing service), none passed on a retry, no error of the file.
 */
export function passedWhole(module: TestModule): boolean {
  if (module.state() !== 'passed' || module.errors().length) return false
  for (const test of module.children.allTests()) {
    const result = test.result()
    if (result.state === 'failed' || result.state === 'pending') return false
    if (result.state === 'skipped' && result.note) return false
    if (test.diagnostic()?.flaky) return false
  }
  return true
}
