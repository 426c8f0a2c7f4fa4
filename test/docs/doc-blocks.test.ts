// The docs cannot drift from the code: every ```ts block of README.md, docs/*.md and the package
// READMEs compiles against the workspace's packages, unless it is marked ```ts fragment.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
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
  readBlocks,
  repoRoot,
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
// project (the latest block of each path), `npx vitest run` in it, and every test must pass.
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

  async function run(dir: string, env: Record<string, string> = {}): Promise<NestedRun> {
    // Only the emulators: a container or a binary of the machine would make the run slow, not truer.
    const providers = {
      TESTBED_VAULT_PROVIDERS: 'embedded',
      TESTBED_AUTH0_PROVIDERS: 'embedded',
      TESTBED_S3_PROVIDERS: 'embedded',
    }
    return runVitest({ fixture: dir, cwd: dir, env: { ...providers, ...env }, timeoutMs: 150_000 })
  }

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
