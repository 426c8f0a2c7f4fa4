import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'
import { tagsPredicate } from '../src/node/tags-expression.ts'

type VitestTagsFilter = (expressions: string[], available: { name: string }[]) => (tags: string[]) => boolean

/**
 * Vitest's own `createTagsFilter`, which it keeps in an internal chunk and does not export: the
 * oracle that the main-process copy must agree with, so that a Vitest upgrade that changes the
 * grammar fails here rather than selecting the wrong files.
 */
async function vitestTagsFilter(): Promise<VitestTagsFilter> {
  const chunks = join(
    dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
    'dist',
    'chunks',
  )
  for (const file of readdirSync(chunks).filter((f) => f.endsWith('.js'))) {
    const source = readFileSync(join(chunks, file), 'utf8')
    if (!source.includes('function createTagsFilter(')) continue
    const alias = /createTagsFilter as (\w+)/.exec(source)?.[1]
    if (!alias) continue
    const module = await import(pathToFileURL(join(chunks, file)).href)
    return module[alias] as VitestTagsFilter
  }
  throw new Error(`Vitest's createTagsFilter not found in ${chunks}`)
}

const TAGS = ['tier1', 'slow', 'enterprise', 'requires_vault', 'requires_postgres']
const OPERANDS = [...TAGS, 'requires_*', '*_vault']

/** A deterministic stream of expressions over OPERANDS, in every spelling Vitest accepts. */
function* expressions(count: number): Generator<string> {
  let seed = 42
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  const build = (depth: number): string => {
    const pick = next(depth > 2 ? 2 : 6)
    const operand = OPERANDS[next(OPERANDS.length)] as string
    if (pick < 2) return operand
    if (pick === 2) return `${['not ', '!', 'NOT '][next(3)]}${build(depth + 1)}`
    if (pick === 3) return `(${build(depth + 1)})`
    const operator = [' and ', ' && ', '&&', ' or ', ' || ', '||', ' AND ', ' OR '][next(8)]
    return `${build(depth + 1)}${operator}${build(depth + 1)}`
  }
  for (let i = 0; i < count; i++) yield build(0)
}

/** Every subset of TAGS: the tag sets a test can carry here. */
const TAG_SETS = Array.from({ length: 2 ** TAGS.length }, (_, mask) => TAGS.filter((_, i) => mask & (1 << i)))

describe('tagsPredicate agrees with Vitest’s own tags filter', { tags: ['tier1'] }, () => {
  test('on 300 generated expressions, for every tag set', async () => {
    const createTagsFilter = await vitestTagsFilter()
    const available = TAGS.map((name) => ({ name }))
    let compared = 0
    for (const expression of expressions(300)) {
      const ours = tagsPredicate(expression)
      const theirs = createTagsFilter([expression], available)
      for (const tags of TAG_SETS) {
        expect(ours(tags), `${expression} on ${JSON.stringify(tags)}`).toBe(theirs(tags))
        compared++
      }
    }
    expect(compared).toBe(300 * TAG_SETS.length)
  })

  test.for(['(tier1', 'tier1 and', 'and tier1', 'tier1 )', '', ' ', 'tier1 slow', 'tier1 and(slow)'])(
    'both refuse %j',
    async (expression) => {
      const createTagsFilter = await vitestTagsFilter()
      expect(() =>
        createTagsFilter(
          [expression],
          TAGS.map((name) => ({ name })),
        ),
      ).toThrow(/Invalid tags expression/)
      expect(() => tagsPredicate(expression)).toThrow(/Invalid tags expression/)
    },
  )
})
