// Values that a careless quoting breaks (quotes, `$`, backslashes, newlines) survive each format, read
// back by what reads it: bash for `sh`, Node's own .env parser for `dotenv`.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { formatExports } from './exports-format.ts'

const awkward = {
  PLAIN: 'postgres://u:p@127.0.0.1:5432/db?sslmode=disable',
  QUOTES: `it's "quoted"`,
  DOLLARS: '$HOME `id` $(id) \\n',
  LINES: 'first\nsecond',
  EMPTY: '',
}

describe('export formats', { tags: ['tier1'] }, () => {
  test('sh: bash reads back every value as it was', () => {
    const script = `${formatExports(awkward, 'sh')}\nnode -e 'console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(Object.keys(awkward))}.map((k) => [k, process.env[k]]))))'`
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH } })
    expect(JSON.parse(out)).toEqual(awkward)
  })

  test("dotenv: Node's --env-file reads back every value that has no quote and newline together", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-dotenv-'))
    try {
      const { QUOTES, ...readable } = awkward
      const file = join(dir, '.env')
      writeFileSync(file, formatExports(readable, 'dotenv'))
      const out = execFileSync(
        process.execPath,
        [
          `--env-file=${file}`,
          '-e',
          `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(Object.keys(readable))}.map((k) => [k, process.env[k]]))))`,
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH } },
      )
      expect(JSON.parse(out)).toEqual(readable)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('github: each value between its own delimiter lines', () => {
    const text = formatExports({ LINES: 'first\nsecond' }, 'github')
    expect(text).toMatch(/^LINES<<(ghadelimiter_[0-9a-f-]+)\nfirst\nsecond\n\1\n$/)
  })

  test('a name that is not a variable name is refused', () => {
    expect(() => formatExports({ 'A-B': 'x' }, 'sh')).toThrow('cannot export "A-B": not a variable name')
  })
})
