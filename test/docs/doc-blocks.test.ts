// The docs cannot drift from the code: every ```ts block of README.md, docs/*.md and the package
// READMEs compiles against the workspace's packages, unless it is marked ```ts fragment.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
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

  test('the compiler ran over blocks of every kind', () => {
    expect(blocks.filter((b) => !b.fragment).length).toBeGreaterThan(20)
    expect(format(errors.filter((e) => e.block.doc === '(tsc)'))).toEqual([])
  })

  test.for(docs)('%s', (doc) => {
    expect(format(errors.filter((e) => e.block.doc === doc)), HINT).toEqual([])
  })
})
