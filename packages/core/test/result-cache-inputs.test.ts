// `resultCache.inputs` on real files in a scratch directory: what the digest covers, what it leaves
// out, and the patterns refused before anything runs. The nested runs (result-cache.test.ts) show the
// same through Vitest.
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { FileDigests } from '../src/node/result-cache/file-digests.ts'
import { checkInputPatterns, inputsPart } from '../src/node/result-cache/inputs.ts'

function tree(files: Record<string, string>): string {
  const root = realpathSync(scratchDir('result-cache-inputs'))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

const part = (root: string, patterns: string[]) => inputsPart(root, patterns, new FileDigests())

describe('result cache inputs', () => {
  test('the digest covers each matched file by path and content; a glob matching nothing is allowed', async () => {
    const root = tree({ 'dist/cli.js': 'v1', 'dist/lib/a.js': 'a', 'fixtures/x.json': '{}', 'src/a.ts': '' })
    const before = await part(root, ['dist/**', 'fixtures/**', 'nothing/**'])
    expect(before).toMatchObject({ patterns: ['dist/**', 'fixtures/**', 'nothing/**'], files: 3 })
    expect(before.digest).toMatch(/^[0-9a-f]{64}$/)
    expect((await part(root, ['dist/**', 'fixtures/**', 'nothing/**'])).digest).toBe(before.digest)
    writeFileSync(join(root, 'dist/cli.js'), 'v2')
    expect((await part(root, ['dist/**', 'fixtures/**', 'nothing/**'])).digest).not.toBe(before.digest)
    // A file not matched changes nothing.
    const now = await part(root, ['dist/**'])
    writeFileSync(join(root, 'src/a.ts'), 'changed')
    expect((await part(root, ['dist/**'])).digest).toBe(now.digest)
    // A new matched file, a renamed one: another digest.
    writeFileSync(join(root, 'dist/new.js'), 'a')
    expect((await part(root, ['dist/**'])).digest).not.toBe(now.digest)
    expect(await part(root, ['nothing/**'])).toMatchObject({ files: 0 })
  })

  test('node_modules, .git and the local store are never inputs; a link counts by what it points to', async () => {
    const outside = tree({ 'secret.txt': 'elsewhere' })
    const root = tree({
      'fixtures/a.txt': 'a',
      'fixtures/node_modules/dep/index.js': 'dep',
      'fixtures/.git/HEAD': 'ref',
      '.testbed/cache/ab/ab.json': '{}',
    })
    symlinkSync(join(outside, 'secret.txt'), join(root, 'fixtures/link.txt'))
    const first = await part(root, ['**'])
    expect(first.files).toBe(2)
    writeFileSync(join(root, 'fixtures/node_modules/dep/index.js'), 'changed')
    writeFileSync(join(root, 'fixtures/.git/HEAD'), 'changed')
    writeFileSync(join(root, '.testbed/cache/ab/ab.json'), '{"changed":1}')
    expect((await part(root, ['**'])).digest).toBe(first.digest)
    writeFileSync(join(outside, 'secret.txt'), 'changed')
    expect((await part(root, ['**'])).digest).not.toBe(first.digest)
  })

  test('patterns outside the root, absolute, malformed or not strings are refused with the pattern named', () => {
    expect(checkInputPatterns(undefined)).toEqual([])
    expect(checkInputPatterns(['packages/*/dist/**', 'a/{b,c}/*.json', 'x/[ab].txt'])).toHaveLength(3)
    expect(() => checkInputPatterns(['../up/**'])).toThrow(
      "resultCache.inputs: '../up/**' is outside the root (globs are relative to the root, inside it)",
    )
    expect(() => checkInputPatterns(['a/../../b'])).toThrow("'a/../../b' is outside the root")
    expect(() => checkInputPatterns(['/etc/**'])).toThrow("'/etc/**' is outside the root")
    expect(() => checkInputPatterns(['a/{b,c'])).toThrow(
      "resultCache.inputs: 'a/{b,c' is not a glob (unbalanced [ ] or { })",
    )
    expect(() => checkInputPatterns(['a/[b'])).toThrow("'a/[b' is not a glob")
    expect(() => checkInputPatterns(['a/b}'])).toThrow("'a/b}' is not a glob")
    expect(() => checkInputPatterns(['  '])).toThrow(
      'resultCache.inputs: "  " is not a glob (expected a non-empty string)',
    )
    expect(() => checkInputPatterns([3])).toThrow('resultCache.inputs: 3 is not a glob')
    expect(() => checkInputPatterns('dist/**')).toThrow('resultCache.inputs: expected a list of globs')
  })
})
