// A repository that uses Testbed as a user's would: every published package packed with the
// documented command (`npm run pack`), the tarballs installed beside this workspace's Vitest into a
// temp dir outside the workspace, its types checked with `skipLibCheck: false`, and a small suite run
// with `npx vitest run`. Its package.json, tsconfig.json, vitest.workspace.ts, vitest.config.ts,
// migration and first test are docs/installation.md's own blocks, so the guide is checked too;
// fixtures/repo/ adds the tests of the other plugins.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const workspace = fileURLToPath(new URL('../../', import.meta.url))
const template = fileURLToPath(new URL('./fixtures/repo/', import.meta.url))
const guide = join(workspace, 'docs', 'installation.md')
const tsc = join(workspace, 'node_modules', '.bin', 'tsc')
const minutes = (n: number) => n * 60_000

const versionIn = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
const vitestVersion = versionIn(join(workspace, 'node_modules', 'vitest'))
const typesNodeVersion = versionIn(join(workspace, 'node_modules', '@types', 'node'))

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  seconds: number
}

const running = new Set<ChildProcess>()

/** Runs a command in its own process group, killed as a whole when `timeoutMs` passes. */
async function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Run> {
  const started = performance.now()
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  running.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), options.timeoutMs)
  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
    return { code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 }
  } finally {
    clearTimeout(timer)
    running.delete(child)
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal)
  } catch {}
}

/** What a failed step printed, for the assertion's message. */
function shown(step: string, r: Run): string {
  const tail = (s: string) => s.split('\n').slice(-60).join('\n')
  return `${step}: exit ${r.code} ${r.signal ?? ''}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`
}

/**
 * This worker's environment, without what a user's shell would not have: Vitest's and npm's own
 * variables (npm's name this workspace as the prefix), Testbed's switches (CI's TESTBED_REQUIRE would
 * turn the skip into a failure), services' URLs, the step summary, and this workspace's
 * node_modules/.bin on PATH. Node is this worker's Node, first on PATH.
 */
function userEnv(marker: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_config_(registry|.*proxy)$/i.test(key)) env[key] = value
    else if (
      !/^(VITEST|TESTBED_|npm_|INIT_CWD$|NODE_ENV$|NODE_OPTIONS$|TEST$|DATABASE_URL$|PG|POSTGRES_|REDIS_URL$|DRAGONFLY_|VAULT_|AUTH0_|NATS_|S3_|AWS_(ACCESS|SECRET|SESSION|ENDPOINT|REGION)|GITHUB_STEP_SUMMARY$|GITHUB_ACTIONS$)/i.test(
        key,
      )
    )
      env[key] = value
  }
  const path = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes(`node_modules${sep}.bin`))
  env.PATH = [dirname(process.execPath), ...path].join(delimiter)
  return { ...env, ...marker }
}

/** The guide's labelled blocks: `json package.json` in the info string, or `// path` / `-- path` as first line. */
function guideFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const [, info = '', code = ''] of markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    const [, label] = info.trim().split(/\s+/)
    const path = label ?? /^(?:\/\/|--) ([\w./-]+\.\w+)$/m.exec(code.split('\n')[0] ?? '')?.[1]
    if (path) files.set(path, code)
  }
  return files
}

/** The packages the guide's `npm install -D …` names. */
function guideInstall(markdown: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith('npm install -D ') && !l.includes('.tgz'))
  if (!line) throw new Error('docs/installation.md shows no `npm install -D` of package names')
  return line.slice('npm install -D '.length).trim().split(/\s+/)
}

/** Processes of the temp repository: started there, naming it, or carrying its marker. */
function processesOf(repo: string, marker: string): string[] {
  if (process.platform !== 'linux') return []
  const found: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    const read = (file: string) => {
      try {
        return readFileSync(`/proc/${entry}/${file}`, 'utf8')
      } catch {
        return ''
      }
    }
    let cwd = ''
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`)
    } catch {}
    const args = read('cmdline').split('\0').join(' ').trim()
    const inRepo = cwd === repo || cwd.startsWith(repo + sep) || args.includes(repo)
    if (inRepo || read('environ').split('\0').includes(marker)) found.push(`${entry}: ${args} (cwd ${cwd})`)
  }
  return found
}

async function settle(check: () => string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs
  let left = check()
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500))
    left = check()
  }
  return left
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(keep)
    .map((f) => join(dir, f))
}

describe('a downstream repository, from the packed tarballs', { tags: ['slow'] }, () => {
  let repo = ''
  let marker = ''
  let env: NodeJS.ProcessEnv = {}
  let installed: Run | undefined
  const timings: string[] = []
  const testbedPackages = () => readdirSync(join(repo, 'node_modules', '@testbed')).sort()

  beforeAll(async () => {
    // Outside the workspace, so nothing resolves from its node_modules. Traversable by others: when
    // run as root, PostgreSQL runs as `postgres` and executes the binaries under node_modules.
    repo = mkdtempSync(join(tmpdir(), 'testbed-downstream-'))
    chmodSync(repo, 0o755)
    marker = `TESTBED_DOWNSTREAM_REPO=${repo}`
    env = userEnv({ TESTBED_DOWNSTREAM_REPO: repo })
    expect(relative(workspace, repo).startsWith('..')).toBe(true)

    const packs = join(repo, 'packs')
    mkdirSync(packs)
    const packed = await run('npm', ['run', 'pack', '--', '--pack-destination', packs], {
      cwd: workspace,
      env,
      timeoutMs: minutes(5),
    })
    timings.push(`npm run pack ${packed.seconds.toFixed(1)} s`)
    expect(packed.code, shown('npm run pack', packed)).toBe(0)
    const tarballs = readdirSync(packs).sort()
    const packages = readdirSync(join(workspace, 'packages')).sort()
    expect(tarballs.map((t) => t.replace(/^testbed-(.+)-\d+\.\d+\.\d+\.tgz$/, '$1'))).toEqual(packages)

    const markdown = readFileSync(guide, 'utf8')
    const files = guideFiles(markdown)
    expect([...files.keys()].sort()).toEqual(
      [
        'migrations/001_users.sql',
        'package.json',
        'test/users.test.ts',
        'tsconfig.json',
        'vitest.config.ts',
        'vitest.workspace.ts',
      ].sort(),
    )
    for (const [path, code] of files) {
      mkdirSync(dirname(join(repo, path)), { recursive: true })
      writeFileSync(join(repo, path), code)
    }
    cpSync(template, repo, { recursive: true })

    // The guide's install command, with the tarballs for Testbed's names and this workspace's versions.
    const specs = guideInstall(markdown).map((spec) => {
      const name = spec.replace(/(.)@.*$/, '$1')
      if (name.startsWith('@testbed/')) {
        const tarball = tarballs.find((t) => t.startsWith(`testbed-${name.slice('@testbed/'.length)}-`))
        if (!tarball)
          throw new Error(`docs/installation.md installs ${name}, which npm run pack did not pack`)
        return join(packs, tarball)
      }
      if (name === 'vitest') return `vitest@${vitestVersion}`
      if (name === '@types/node') return `@types/node@${typesNodeVersion}`
      return spec
    })
    expect(specs.filter((s) => s.endsWith('.tgz')).length, 'the guide installs every package').toBe(
      tarballs.length,
    )
    installed = await run('npm', ['install', '-D', '--no-audit', '--no-fund', '--prefer-offline', ...specs], {
      cwd: repo,
      env,
      timeoutMs: minutes(10),
    })
    timings.push(`npm install ${installed.seconds.toFixed(1)} s`)
    expect(installed.code, shown('npm install', installed)).toBe(0)
  }, minutes(16))

  afterAll(async () => {
    for (const child of running) killGroup(child, 'SIGKILL')
    if (!repo) return
    // Whatever a failed run left behind: stopped, then the directory removed.
    for (const left of processesOf(repo, marker)) process.kill(Number(left.split(':')[0]), 'SIGKILL')
    await settle(() => processesOf(repo, marker), 10_000)
    rmSync(repo, { recursive: true, force: true, maxRetries: 3 })
    expect(existsSync(repo)).toBe(false)
  }, minutes(1))

  test('npm installs it with no unreviewed install script, and without the optional peers', () => {
    expect(installed?.stderr).not.toMatch(/install-scripts/)
    expect(versionIn(join(repo, 'node_modules', 'vitest'))).toBe(vitestVersion)
    expect(testbedPackages()).toEqual(readdirSync(join(workspace, 'packages')).sort())
    expect(existsSync(join(repo, 'node_modules', 'node-vault'))).toBe(false)
  })

  test("the packages' types import only what their package.json makes installed", () => {
    const imports = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|reference\s+types\s*=\s*)['"]([^'"]+)['"]/g
    const offenders: string[] = []
    for (const name of testbedPackages()) {
      const dir = join(repo, 'node_modules', '@testbed', name)
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>
        peerDependencies?: Record<string, string>
        peerDependenciesMeta?: Record<string, { optional?: boolean }>
      }
      const optional = (peer: string) => manifest.peerDependenciesMeta?.[peer]?.optional === true
      const installedWith = new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !optional(peer)),
      ])
      for (const file of filesUnder(join(dir, 'dist'), (f) => f.endsWith('.d.ts'))) {
        for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(imports)) {
          if (
            specifier.startsWith('.') ||
            specifier.startsWith('node:') ||
            builtinModules.includes(specifier)
          )
            continue
          const pkg = specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/')
          if (!installedWith.has(pkg)) offenders.push(`${relative(repo, file)} imports ${specifier}`)
        }
      }
    }
    expect(offenders).toEqual([])
  })

  test('its source maps and declaration maps point at files the tarballs ship', () => {
    const missing: string[] = []
    let maps = 0
    for (const name of testbedPackages()) {
      for (const map of filesUnder(join(repo, 'node_modules', '@testbed', name, 'dist'), (f) =>
        f.endsWith('.map'),
      )) {
        maps++
        const { sources, sourceRoot = '' } = JSON.parse(readFileSync(map, 'utf8')) as {
          sources: string[]
          sourceRoot?: string
        }
        for (const source of sources) {
          const path = resolve(dirname(map), sourceRoot, source)
          if (!existsSync(path)) missing.push(`${relative(repo, map)} -> ${source}`)
        }
      }
    }
    expect(maps).toBeGreaterThan(100)
    expect(missing).toEqual([])
  })

  test(
    "it typechecks with skipLibCheck: false, every package's every entry point imported",
    async () => {
      const tsconfig = JSON.parse(readFileSync(join(repo, 'tsconfig.json'), 'utf8')) as {
        compilerOptions: { skipLibCheck?: boolean }
      }
      expect(tsconfig.compilerOptions.skipLibCheck ?? false).toBe(false)
      const entryPoints = testbedPackages().flatMap((name) => {
        const manifest = JSON.parse(
          readFileSync(join(repo, 'node_modules', '@testbed', name, 'package.json'), 'utf8'),
        ) as { exports: Record<string, unknown> }
        // JSON entries (package.json, the policy schema) are data, not modules to re-export.
        const isJson = (target: unknown) => typeof target === 'string' && target.endsWith('.json')
        return Object.keys(manifest.exports)
          .filter((subpath) => !isJson(manifest.exports[subpath]))
          .map((subpath) => `@testbed/${name}${subpath.slice(1)}`)
      })
      writeFileSync(
        join(repo, 'test', 'entry-points.ts'),
        entryPoints.map((specifier, i) => `export * as entry${i} from '${specifier}'\n`).join(''),
      )
      const checked = await run(tsc, ['-p', 'tsconfig.json', '--pretty', 'false'], {
        cwd: repo,
        env,
        timeoutMs: minutes(5),
      })
      timings.push(`tsc ${checked.seconds.toFixed(1)} s`)
      expect(checked.stdout + checked.stderr).toBe('')
      expect(checked.code).toBe(0)
    },
    minutes(6),
  )

  test(
    'npx vitest run passes, skips the Redis test with its reason, and leaves nothing behind',
    async ({ annotate }) => {
      const report = join(repo, 'report.json')
      const tempRoot = join(repo, '.testbed-tmp')
      mkdirSync(tempRoot)
      chmodSync(tempRoot, 0o755)
      const result = await run(
        'npx',
        ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
        {
          cwd: repo,
          env: {
            ...env,
            TESTBED_POSTGRES_PROVIDERS: 'embedded',
            TESTBED_VAULT_PROVIDERS: 'embedded',
            TESTBED_AUTH0_PROVIDERS: 'embedded',
            // No Redis for this run: its test is skipped, with the reason.
            TESTBED_REDIS_PROVIDERS: 'env',
            // Testbed's temp dirs (the servers' data) inside the repository, to see that it removes them.
            TESTBED_TMPDIR: tempRoot,
          },
          timeoutMs: minutes(8),
        },
      )
      timings.push(`npx vitest run ${result.seconds.toFixed(1)} s`)
      await annotate(timings.join(', '))
      expect(result.code, shown('npx vitest run', result)).toBe(0)
      expect(result.stdout).toContain(`v${vitestVersion}`)

      const json = JSON.parse(readFileSync(report, 'utf8')) as {
        testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }>
      }
      const tests = json.testResults.flatMap((file) => file.assertionResults)
      const titles = (status: string) => [
        ...new Set(tests.filter((t) => t.status === status).map((t) => t.title)),
      ]
      expect(titles('passed').sort()).toEqual([
        'encrypts through Vault transit',
        'signs a user in with the Auth0 tenant',
        'stores a user',
      ])
      expect(tests.filter((t) => t.status === 'passed')).toHaveLength(3)
      // What a pipeline does not select is reported skipped too (each test is in one pipeline only).
      expect(titles('skipped')).toContain('caches sessions in Redis')
      expect(tests.filter((t) => t.status !== 'passed' && t.status !== 'skipped')).toEqual([])

      // Testbed's reporter gives the one skip with a reason: the Redis test's.
      const reasons = result.stderr.split('\n').filter((line) => line.trimStart().startsWith('↓'))
      expect(reasons.map((line) => line.trim())).toEqual([
        '↓ [main] caches sessions in Redis — redis unavailable: env: REDIS_URL is not set',
      ])
      // Nothing but Testbed's own lines on stderr: no sourcemap warnings, no deprecation or other warnings.
      expect(result.stderr).not.toMatch(/sourcemap|missing source|warn|deprecat|error/i)

      expect(await settle(() => processesOf(repo, marker), 30_000)).toEqual([])
      expect(await settle(() => readdirSync(tempRoot), 30_000)).toEqual([])
    },
    minutes(10),
  )

  test(
    'npx testbed: doctor, up --detach, a run that takes PostgreSQL from it, down; nothing left',
    async () => {
      const tempRoot = join(repo, '.testbed-tmp-up')
      mkdirSync(tempRoot)
      chmodSync(tempRoot, 0o755)
      const upEnv = { ...env, TESTBED_POSTGRES_PROVIDERS: 'embedded', TESTBED_TMPDIR: tempRoot }
      const testbed = (args: string[], extra: NodeJS.ProcessEnv = upEnv) =>
        run('npx', ['testbed', ...args], { cwd: repo, env: extra, timeoutMs: minutes(3) })

      const doctor = await testbed(['doctor'])
      expect(doctor.code, shown('npx testbed doctor', doctor)).toBe(0)
      expect(doctor.stdout).toMatch(/postgres/)

      const up = await testbed(['up', 'postgres', '--detach'])
      expect(up.code, shown('npx testbed up postgres --detach', up)).toBe(0)
      expect(up.stdout).toMatch(/^export DATABASE_URL='postgres(ql)?:\/\//m)
      const status = await testbed(['status'])
      expect(status.code, shown('npx testbed status', status)).toBe(0)
      expect(status.stdout).toMatch(/postgres/)
      // The password is in the exports the user asked for, never in the status.
      const url = /DATABASE_URL='([^']+)'/.exec(up.stdout)?.[1]
      expect(url).toBeDefined()
      const { password } = new URL(url ?? '')
      if (password) expect(status.stdout + status.stderr).not.toContain(password)

      // The run names no provider order, so `up` comes first: its table says the server is up's.
      // TESTBED_UP=use as docs/cli.md says for CI, where a run uses `up` only when told to.
      const tested = await run('npx', ['vitest', 'run', '--project', 'main'], {
        cwd: repo,
        env: { ...env, TESTBED_UP: 'use', TESTBED_REDIS_PROVIDERS: 'env' },
        timeoutMs: minutes(5),
      })
      expect(tested.code, shown('npx vitest run --project main', tested)).toBe(0)
      expect(tested.stderr).toMatch(/postgres\s+up\s/)
      expect(tested.stderr).toContain(' testbed up: services of testbed up (pid ')

      const down = await testbed(['down'])
      expect(down.code, shown('npx testbed down', down)).toBe(0)
      expect(existsSync(join(repo, '.testbed', 'up.json'))).toBe(false)
      expect(await settle(() => processesOf(repo, marker), 30_000)).toEqual([])
      expect(await settle(() => readdirSync(tempRoot), 30_000)).toEqual([])
    },
    minutes(12),
  )
})
