// The docs cannot drift from the code: every ```ts block of README.md, docs/*.md and the package
// READMEs compiles against the workspace's packages, unless it is marked ```ts fragment.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test as postgresTest, postgresUrl } from '@testbed/postgres'
import { type NestedRun, runVitest } from '@testbed/test-support/run-vitest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type BlockError,
  docFiles,
  extractBlocks,
  isTypeScript,
  missingFromReport,
  readBlocks,
  repoRoot,
  reportBlocks,
  shownCommands,
  typecheck,
  writeBlocks,
  writeProject,
} from './doc-blocks.ts'

// Inside the repository, so the blocks' imports resolve through its node_modules; `.testbed/` is ignored by git.
function workDir(prefix: string): string {
  mkdirSync(join(repoRoot, '.testbed'), { recursive: true })
  return mkdtempSync(join(repoRoot, '.testbed', prefix))
}

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function format(errors: BlockError[]): string[] {
  return errors.map((e) => `${e.where} (the block at line ${e.block.line}): ${e.message}`)
}

const HINT = 'a ```ts block must compile as a whole file: fix it, or mark a piece of a file as ```ts fragment'

describe('finding the code blocks of a document', { tags: ['tier1'] }, () => {
  test('fences with their info strings, labels and fragments; indented fences lose their indent', () => {
    const md = [
      '# Doc', // 1
      '```ts', // 2
      '// vitest.workspace.ts', // 3
      "import { a } from 'a'", // 4
      '```', // 5
      '- a list item:', // 6
      '', // 7
      '  ```ts fragment', // 8
      '  readiness: { graceMs: 1 },', // 9
      '  ```', // 10
      '````markdown', // 11
      '```ts', // 12
      '````', // 13
      '~~~sh', // 14
      'npm test', // 15
      '~~~', // 16
    ].join('\n')
    expect(extractBlocks(md, 'doc.md')).toEqual([
      {
        doc: 'doc.md',
        line: 2,
        lang: 'ts',
        fragment: false,
        file: 'vitest.workspace.ts',
        code: "// vitest.workspace.ts\nimport { a } from 'a'\n",
      },
      {
        doc: 'doc.md',
        line: 8,
        lang: 'ts',
        fragment: true,
        file: undefined,
        code: 'readiness: { graceMs: 1 },\n',
      },
      { doc: 'doc.md', line: 11, lang: 'markdown', fragment: false, file: undefined, code: '```ts\n' },
      { doc: 'doc.md', line: 14, lang: 'sh', fragment: false, file: undefined, code: 'npm test\n' },
    ])
  })

  test('a label may carry a comment after a colon, and names a path', () => {
    const [block] = extractBlocks('```ts\n// test/users.test.ts: the test\n```\n', 'doc.md')
    expect(block?.file).toBe('test/users.test.ts')
    const [unlabelled] = extractBlocks('```ts\n// stores a user\n```\n', 'doc.md')
    expect(unlabelled?.file).toBeUndefined()
  })

  test('the documents checked: the root README, docs/*.md and every package README', () => {
    const docs = docFiles()
    expect(docs).toContain('README.md')
    expect(docs).toContain('docs/pipelines.md')
    expect(docs).toContain('packages/vault/README.md')
    expect(
      docs.every((d) => d === 'README.md' || /^(docs\/[^/]+|packages\/[^/]+\/README)\.md$/.test(d)),
    ).toBe(true)
  })
})

describe("what a document shows Testbed's reporter printing", { tags: ['tier1'] }, () => {
  const printed = [
    'testbed: postgres ready via env in 0.01 s',
    '',
    ' Flaky (passed on a retry)',
    '   ⚠ deploy > roll out (1 retry)',
    '   ⚠ queue > process (2 retries)',
    ' Journeys',
    '   [main] checkout: 1 passed, 1 failed, 0 skipped, 12.3 s',
    '     ✓ fill the cart  0.00 s',
    '     ✗ pay            12.3 s  card declined',
    '   [main] queue: 2 passed, 0 failed, 0 skipped, 0.01 s',
    '     ✓ process  0.01 s  passed after 2 retries',
    ' Outcome by service',
  ].join('\n')

  test('each shown entry is printed in its section, its lines together; durations stand for any', () => {
    const shown = [
      ' Flaky (passed on a retry)',
      '   ⚠ queue > process (2 retries)',
      ' Journeys',
      '   [main] checkout: 1 passed, 1 failed, 0 skipped, 0.31 s',
      '     ✓ fill the cart  0.21 s',
      '     ✗ pay            0.10 s  card declined',
    ].join('\n')
    expect(missingFromReport(shown, printed)).toEqual([])
  })

  test('an entry printed otherwise, in another section or apart, is missing', () => {
    const shown = [
      ' Journeys',
      '   [main] checkout: 1 passed, 1 failed, 0 skipped, 0.31 s',
      '     ✗ pay            0.10 s  card refused',
      '   ⚠ queue > process (2 retries)',
      '   [main] checkout: 1 passed, 1 failed, 0 skipped, 0.31 s',
      '     ✓ process  0.01 s  passed after 2 retries',
      ' Faults injected',
      '   ⚡ a test — cut',
    ].join('\n')
    expect(missingFromReport(shown, printed)).toEqual([
      "in 'Journeys':    [main] checkout: 1 passed, 1 failed, 0 skipped, 0.31 s\n     ✗ pay            0.10 s  card refused",
      "in 'Journeys':    ⚠ queue > process (2 retries)",
      "in 'Journeys':    [main] checkout: 1 passed, 1 failed, 0 skipped, 0.31 s\n     ✓ process  0.01 s  passed after 2 retries",
      "the section 'Faults injected'",
    ])
  })

  test("a sh block's commands, their variables and arguments, and the report lines under them", () => {
    const journeys = shownCommands('docs/journeys.md')
    expect(journeys.map(({ env, args }) => ({ env, args }))).toContainEqual({
      env: {},
      args: ['test/sign-up.test.ts', '-t', 'log in'],
    })
    expect(journeys.find((c) => c.args.includes('log in'))?.printed).toMatch(
      /^ Skipped, with reasons\n {3}↓ /,
    )
    expect(shownCommands('docs/faults.md')).toContainEqual({
      env: { TESTBED_POSTGRES_PROVIDERS: 'embedded' },
      args: ['--no-file-parallelism'],
      printed: '',
    })
  })
})

describe('an unmarked block that does not compile', { tags: ['tier2'] }, () => {
  test('fails with the document, the line and the compiler error', { timeout: 60_000 }, async () => {
    const md = [
      '# Guide',
      '',
      '```ts fragment',
      'readiness: { graceMs: 20_000 }',
      '```',
      '',
      '```ts',
      "import { defineTestbed } from '@testbed/core/config'",
      '',
      'defineTestbed({ services })',
      '```',
    ].join('\n')
    const dir = workDir('doc-blocks-new-')
    dirs.push(dir)
    const errors = await typecheck(dir, writeBlocks(extractBlocks(md, 'docs/new.md'), dir))
    expect(format(errors)).toEqual([
      "docs/new.md:10 (the block at line 7): error TS18004: No value exists in scope for the shorthand property 'services'. Either declare one or provide an initializer.",
    ])
  })
})

describe("the docs' TypeScript blocks compile", { tags: ['tier2'] }, () => {
  const docs = docFiles()
  const blocks = docs.flatMap((doc) => readBlocks(doc)).filter(isTypeScript)
  let errors: BlockError[] = []

  beforeAll(async () => {
    const dir = workDir('doc-blocks-')
    dirs.push(dir)
    errors = await typecheck(dir, writeBlocks(blocks, dir))
  }, 120_000)

  test('tsc ran over the complete blocks, and reported nothing outside them', () => {
    expect(blocks.filter((b) => !b.fragment).length).toBeGreaterThan(20)
    expect(format(errors.filter((e) => e.block.doc === '(tsc)'))).toEqual([])
  })

  test.for(docs)('%s', (doc) => {
    expect(format(errors.filter((e) => e.block.doc === doc)), HINT).toEqual([])
  })
})

// The documents' complete examples, run as a user would run them: their labelled blocks written as a
// project (the latest block of each path), `npx vitest run` in it (with the arguments a document's
// command gives), and every test must end as the document says: passed, or failed where it shows a
// failure. What a document shows Testbed's reporter printing must be printed.
describe('the complete examples run', { tags: ['tier3'] }, () => {
  const USERS = 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);\n'
  // The README's vitest.config.ts, for the package READMEs that show only the workspace.
  const CONFIG = [
    "import { defineConfig } from 'vitest/config'",
    "import { testbed } from './vitest.workspace.ts'",
    '',
    'export default defineConfig({ plugins: testbed.plugins, test: { projects: testbed.projects } })',
    '',
  ].join('\n')

  function project(doc: string, extra: Record<string, string> = {}): { dir: string; files: string[] } {
    const dir = workDir('doc-example-')
    dirs.push(dir)
    return { dir, files: writeProject(doc, dir, extra) }
  }

  async function run(dir: string, env: Record<string, string> = {}, args: string[] = []): Promise<NestedRun> {
    // Only the emulators: a container or a binary of the machine would make the run slow, not truer.
    const providers = {
      TESTBED_VAULT_PROVIDERS: 'embedded',
      TESTBED_AUTH0_PROVIDERS: 'embedded',
      TESTBED_S3_PROVIDERS: 'embedded',
    }
    return runVitest({ fixture: dir, cwd: dir, args, env: { ...providers, ...env }, timeoutMs: 150_000 })
  }

  // The reports a document shows in plain blocks (those under a command are in its comments).
  const shownReports = (doc: string) => reportBlocks(doc).map((b) => b.code)
  const statuses = (r: NestedRun) =>
    r.tests.filter((t) => t.status !== 'skipped').map((t) => [t.fullName, t.status])
  const failure = (r: NestedRun, name: string) =>
    r.tests.find((t) => t.fullName === name && t.status === 'failed')?.failureMessages.join('\n') ?? ''

  // A test appears once per pipeline; the pipelines that do not select it report it skipped. A test
  // skipped for a missing service is then missing from the list.
  const outcomes = (r: NestedRun) =>
    r.tests.filter((t) => t.status !== 'skipped').map((t) => [t.fullName, t.status, ...t.failureMessages])

  postgresTest(
    "README.md: the workspace, the config and the test, against this run's PostgreSQL",
    { tags: ['requires_postgres'], timeout: 180_000 },
    async ({ postgresConnection }) => {
      const { dir, files } = project('README.md', { 'migrations/001_users.sql': USERS })
      expect(files).toEqual([
        'migrations/001_users.sql',
        'test/users.test.ts',
        'vitest.config.ts',
        'vitest.workspace.ts',
      ])
      const r = await run(dir, { DATABASE_URL: postgresUrl(postgresConnection) })
      expect(outcomes(r), r.stderr).toEqual([['stores a user', 'passed']])
      expect(r.code).toBe(0)
    },
  )

  postgresTest(
    "packages/vault/README.md: Vault alone, and the typed client beside PostgreSQL's database",
    { tags: ['requires_postgres'], timeout: 180_000 },
    async ({ postgresConnection }) => {
      const { dir, files } = project('packages/vault/README.md', { 'vitest.config.ts': CONFIG })
      expect(files).toEqual([
        'test/encrypt.test.ts',
        'test/secrets.test.ts',
        'test/testbed.ts',
        'vitest.config.ts',
        'vitest.workspace.ts',
      ])
      const r = await run(dir, { DATABASE_URL: postgresUrl(postgresConnection) })
      expect(outcomes(r).sort(), r.stderr).toEqual([
        ['encrypts data', 'passed'],
        ['rotates a key of its own', 'passed'],
        ['stores a secret encrypted', 'passed'],
      ])
      expect(r.code).toBe(0)
    },
  )

  postgresTest(
    "docs/fixtures.md: PostgreSQL, Vault, Auth0 and S3 fixtures composed into one test, against this run's PostgreSQL",
    { tags: ['requires_postgres'], timeout: 180_000 },
    async ({ postgresConnection }) => {
      const { dir, files } = project('docs/fixtures.md')
      expect(files).toEqual(['test/notes.test.ts', 'vitest.config.ts', 'vitest.workspace.ts'])
      const r = await run(dir, { DATABASE_URL: postgresUrl(postgresConnection) })
      expect(outcomes(r), r.stderr).toEqual([
        ['stores a note by its author, encrypted, with an attachment', 'passed'],
      ])
      expect(r.code).toBe(0)
    },
  )

  postgresTest(
    "docs/journeys.md: the journeys run in order with their state, retry, keep to their budget and print the tables shown, against this run's PostgreSQL",
    { tags: ['requires_postgres'], timeout: 180_000 },
    async ({ postgresConnection }) => {
      const { dir, files } = project('docs/journeys.md')
      expect(files).toEqual([
        'test/checkout.test.ts',
        'test/deploy.test.ts',
        'test/import.test.ts',
        'test/orders.test.ts',
        'test/queue.test.ts',
        'test/sign-up.test.ts',
        'vitest.config.ts',
        'vitest.workspace.ts',
      ])
      const r = await run(dir, { DATABASE_URL: postgresUrl(postgresConnection) })
      // The steps that ran; the later steps of checkout and import are skipped (their reasons are in the tables).
      expect(statuses(r).sort(), r.stderr).toEqual([
        ['an order create the table', 'passed'],
        ['an order find it', 'passed'],
        ['an order place it', 'passed'],
        ['checkout fill the cart', 'passed'],
        ['checkout pay', 'failed'],
        ['deploy provision a node', 'passed'],
        ['deploy roll out', 'passed'],
        ['deploy verify', 'passed'],
        ['import upload the file', 'passed'],
        ['import wait for the import', 'failed'],
        ['queue processing enqueue', 'passed'],
        ['queue processing process', 'passed'],
        ['queue processing report', 'passed'],
        ['sign-up log in', 'passed'],
        ['sign-up register', 'passed'],
        ['sign-up see the dashboard', 'passed'],
        ['sign-up verify the email', 'passed'],
      ])
      expect(failure(r, 'checkout pay')).toMatch(/^Error: card declined\n/)
      const shown = shownReports('docs/journeys.md')
      // The journeys whose tables the document shows.
      expect(shown.map((b) => /\[main\] ([^:]+):/.exec(b)?.[1])).toEqual([
        'queue processing',
        'deploy',
        'import',
        'checkout',
      ])
      for (const report of shown) expect(missingFromReport(report, r.stderr), r.stderr).toEqual([])
      expect(r.code).toBe(1) // checkout and import fail, as the document shows
    },
  )

  postgresTest(
    "docs/journeys.md: -t selecting a later step skips it, naming the step it needs; the journey's name selects all its steps",
    { tags: ['requires_postgres'], timeout: 180_000 },
    async ({ postgresConnection }) => {
      const { dir } = project('docs/journeys.md')
      const env = { DATABASE_URL: postgresUrl(postgresConnection) }
      const commands = shownCommands('docs/journeys.md')
      const oneStep = commands.find((c) => c.args.join(' ') === 'test/sign-up.test.ts -t log in')
      const wholeJourney = commands.find((c) => c.args.join(' ') === '-t sign-up')
      expect(oneStep?.printed).toMatch(/^ Skipped, with reasons\n {3}↓ \[main\] sign-up > log in — /)
      expect(wholeJourney).toBeDefined()

      const selected = await run(dir, env, oneStep?.args)
      expect(statuses(selected), selected.stderr).toEqual([])
      expect(missingFromReport(oneStep?.printed ?? '', selected.stderr), selected.stderr).toEqual([])
      expect(selected.code).toBe(0)

      const journey = await run(dir, env, wholeJourney?.args)
      expect(statuses(journey), journey.stderr).toEqual([
        ['sign-up register', 'passed'],
        ['sign-up verify the email', 'passed'],
        ['sign-up log in', 'passed'],
        ['sign-up see the dashboard', 'passed'],
      ])
      expect(journey.code).toBe(0)
    },
  )

  test("docs/faults.md: a cut connection, a slow link and a restarted PostgreSQL, run as the document says, on Testbed's embedded PostgreSQL", {
    timeout: 180_000,
  }, async () => {
    const { dir, files } = project('docs/faults.md')
    expect(files).toEqual([
      'test/orders.test.ts',
      'test/recovery.test.ts',
      'test/slow-network.test.ts',
      'vitest.config.ts',
      'vitest.workspace.ts',
    ])
    const [command, ...others] = shownCommands('docs/faults.md')
    expect(others).toEqual([])
    const r = await run(dir, command?.env, command?.args)
    expect(statuses(r).sort(), r.stderr).toEqual([
      ['a dropped connection fails the query; a new one works', 'passed'],
      ['a reply through a 200 ms link takes at least 200 ms', 'passed'],
      ['the service recovers when PostgreSQL restarts', 'passed'],
    ])
    expect(r.stderr).toContain('testbed: postgres (embedded): restarting')
    const shown = shownReports('docs/faults.md')
    expect(shown).toHaveLength(1)
    for (const report of shown) expect(missingFromReport(report, r.stderr), r.stderr).toEqual([])
    expect(r.code).toBe(0)
  })

  postgresTest(
    "docs/faults.md: the restart refused, in the document's words, for a PostgreSQL from DATABASE_URL",
    { tags: ['requires_postgres'], timeout: 180_000 },
    async ({ postgresConnection }) => {
      const { dir } = project('docs/faults.md')
      const words = readFileSync(join(repoRoot, 'docs/faults.md'), 'utf8').replace(/\s+/g, ' ')
      const refusal = /`(postgres came from env \(DATABASE_URL\)[^`]*)`/.exec(words)?.[1]
      expect(refusal).toBe(
        'postgres came from env (DATABASE_URL): Testbed did not start it, so it cannot restart it',
      )
      const r = await run(dir, { DATABASE_URL: postgresUrl(postgresConnection) }, ['test/recovery.test.ts'])
      expect(statuses(r), r.stderr).toEqual([['the service recovers when PostgreSQL restarts', 'failed']])
      expect(failure(r, 'the service recovers when PostgreSQL restarts')).toContain(refusal)
      expect(r.code).toBe(1)
    },
  )

  test("packages/s3/README.md: an object in the test's own bucket, on Testbed's S3 emulator", {
    timeout: 180_000,
  }, async () => {
    const { dir, files } = project('packages/s3/README.md', { 'vitest.config.ts': CONFIG })
    expect(files).toEqual(['test/artifact.test.ts', 'vitest.config.ts', 'vitest.workspace.ts'])
    const r = await run(dir)
    expect(outcomes(r), r.stderr).toEqual([['stores an artifact', 'passed']])
    expect(r.code).toBe(0)
  })

  test("packages/auth0/README.md: tokens and bad tokens against the run's tenant", {
    timeout: 180_000,
  }, async () => {
    const { dir, files } = project('packages/auth0/README.md', { 'vitest.config.ts': CONFIG })
    expect(files).toEqual([
      'scripts/mock-auth0.ts',
      'test/tokens.test.ts',
      'vitest.config.ts',
      'vitest.workspace.ts',
    ])
    const r = await run(dir)
    expect(outcomes(r), r.stderr).toEqual([['validates a JWT, and refuses bad ones', 'passed']])
    expect(r.code).toBe(0)
  })

  test('packages/auth0/README.md: the tenant served by a script until it is stopped', {
    timeout: 60_000,
  }, async () => {
    const { dir } = project('packages/auth0/README.md')
    const script = spawn(process.execPath, ['scripts/mock-auth0.ts'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<number | null>((resolve) => script.once('close', (code) => resolve(code)))
    try {
      const printed: Record<string, string> = {}
      for await (const line of createInterface({ input: script.stdout })) {
        const [name = '', ...value] = line.split('=')
        printed[name] = value.join('=')
        if (name === 'TOKEN') break
      }
      const url = printed.AUTH0_ISSUER_BASE_URL as string
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      expect(printed.AUTH0_AUDIENCE).toBe('https://api.example.com/')
      const openid = (await (await fetch(`${url}.well-known/openid-configuration`)).json()) as {
        issuer: string
      }
      expect(openid.issuer).toBe(url)
      // The printed token is signed by a key the served JWKS holds.
      const jwks = (await (await fetch(`${url}.well-known/jwks.json`)).json()) as {
        keys: Array<{ kid: string }>
      }
      const header = JSON.parse(Buffer.from(printed.TOKEN?.split('.')[0] ?? '', 'base64url').toString()) as {
        kid: string
      }
      expect(jwks.keys.map((k) => k.kid)).toContain(header.kid)
      script.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      script.kill('SIGKILL')
    }
  })
})
