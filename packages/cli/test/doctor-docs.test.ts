// docs/cli.md's doctor section shows real output: the command it quotes, run on the fixture
// repository the section describes, prints what the document shows (timings, versions and paths
// aside, which differ per machine).
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const FIXTURE = fileURLToPath(new URL('./fixtures/doctor-repo', import.meta.url))
const DOC = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url))

/** The `## testbed doctor` section: its quoted command's variables, and the output block after it. */
function example(): { env: Record<string, string>; output: string } {
  const doc = readFileSync(DOC, 'utf8')
  const start = doc.indexOf('\n## testbed doctor')
  expect(start, 'docs/cli.md has a "## testbed doctor" section').toBeGreaterThan(-1)
  const section = doc.slice(start + 1).split(/\n## /)[0] as string
  const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({
    lang: m[1],
    body: m[2] as string,
  }))
  const command = blocks.findIndex((b) => b.lang === 'sh' && /npx testbed doctor\s*$/.test(b.body.trim()))
  expect(command, 'the section quotes `… npx testbed doctor` in a ```sh block').toBeGreaterThan(-1)
  const output = blocks[command + 1]
  expect(output?.lang, 'the output follows in a ```text block').toBe('text')
  const words = (blocks[command]?.body ?? '').replace(/\\\n/g, ' ').trim().split(/\s+/)
  const env = Object.fromEntries(
    words
      .slice(0, words.indexOf('npx'))
      .map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]),
  )
  return { env, output: output?.body ?? '' }
}

/** Lines as compared: every number `N`, every absolute path `<path>`, runs of spaces one space. */
function normalized(text: string): string[] {
  return (
    text
      .split('\n')
      .map((line) =>
        line
          .replace(/(?<![\w:])\/(?!\/)[\w.@+-]+(?:\/[\w.@+-]+)+/g, '<path>')
          .replace(/\d+/g, 'N')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .filter(Boolean)
      // Whether this machine has the Compose CLI is not the document's to say.
      .filter((line) => !line.startsWith('compose '))
  )
}

describe('docs/cli.md: testbed doctor', { tags: ['tier2'] }, () => {
  test('the example output is what the quoted command prints', async () => {
    const { env, output } = example()
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !/^(VITEST|TESTBED_|PG|DATABASE_URL$|REDIS_URL$|DOCKER_HOST$|CI$|NODE_ENV$)/.test(key),
      ),
    )
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'doctor'], {
      cwd: FIXTURE,
      env: { ...inherited, ...env },
    })
    expect(normalized(stdout)).toEqual(normalized(output))
  })
})
