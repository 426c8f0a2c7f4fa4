import { describe, expect, test } from 'vitest'
import { staticTags } from '../src/node/static-tags.ts'
import { allOf, tagsPredicate } from '../src/node/tags-expression.ts'

describe('tags expressions, evaluated in the main process as Vitest does in workers', {
  tags: ['tier1'],
}, () => {
  test.for([
    ['not (enterprise or requires_vault)', ['tier1'], true],
    ['not (enterprise or requires_vault)', ['requires_vault'], false],
    ['enterprise or requires_vault and slow', ['requires_vault'], false], // and binds tighter
    ['(enterprise or requires_vault) and slow', ['requires_vault', 'slow'], true],
    ['!slow && tier1', ['tier1'], true],
    ['tier1 || !tier1', [], true],
    ['requires_*', ['requires_postgres'], true],
    ['requires_*', ['tier1'], false],
    ['android', ['android'], true], // a tag that starts like an operator
    ['NOT slow', ['slow'], false],
  ] as const)('%s on %j is %s', ([expression, tags, expected]) => {
    expect(tagsPredicate(expression)([...tags])).toBe(expected)
  })

  test('a list of expressions must all hold, as Vitest ANDs tagsFilter', () => {
    expect(allOf(['tier1', 'not slow'])(['tier1', 'slow'])).toBe(false)
  })

  test('a malformed expression is refused', () => {
    expect(() => tagsPredicate('(tier1')).toThrow(/Invalid tags expression/)
  })
})

describe("a test file's tags from its source", { tags: ['tier1'] }, () => {
  const read = (source: string) => staticTags(source, 'x.test.ts')?.tests

  test('tests inherit their suites’ and the module’s tags', () => {
    const source = `// @module-tag e2e
      import { describe, test } from 'vitest'
      const file: string = fixture('x')
      process.env.X = '1'
      describe('a', { tags: ['enterprise'] }, () => {
        beforeEach(() => {})
        for (const n of [1, 2]) test(\`n\${n}\`, { tags: 'slow' }, async () => { await helper() })
        describe.skip('b', () => { it('c', () => {}, 1000) })
      })
      test.each([1])('d %s', (n) => {})
      test.skipIf(true)('e', { tags: ['tier1'] }, () => {})`
    expect(read(source)).toEqual([
      ['e2e', 'enterprise', 'slow'], // one declaration, however many tests the loop makes
      ['e2e', 'enterprise'],
      ['e2e'],
      ['e2e', 'tier1'],
    ])
  })

  test('follows test and describe under other names, and a timeout after the function', () => {
    const source = `import { test as vitestTest, describe as group } from 'vitest'
      import { test } from '@testbed/postgres'
      const awsTest = vitestTest.extend('aws', async () => '/usr/bin').extend('more', () => 1)
      const plain = test
      awsTest('a', { tags: ['requires_s3_clients'] }, async ({ aws }) => {}, minutes(2))
      group('g', { tags: ['slow'] }, () => {
        const inner = awsTest.scoped({ aws: '/bin' })
        inner('b', async () => {}, minutes(8))
        plain('c', { tags: ['requires_postgres'] }, () => {})
      })`
    expect(read(source)).toEqual([['requires_s3_clients'], ['slow'], ['slow', 'requires_postgres']])
  })

  test("a journey's steps carry the journey's tags; its options may name a composed test", () => {
    const source = `import { journey } from '@testbed/core'
      import { test } from './testbed.ts'
      journey('scheduling', { tags: ['e2e', 'requires_postgres'], test, budget: 1000 }, (j) =>
        j.step('a', () => ({ n: 1 })).step('b', ({ n }) => {}),
      )
      describe('nightly', { tags: ['slow'] }, () => {
        journey('export', (j) => j.step('only', () => {}))
      })`
    expect(read(source)).toEqual([['e2e', 'requires_postgres'], ['e2e', 'requires_postgres'], ['slow']])
  })

  test('a journey imported from elsewhere, or with tags from a variable, keeps the file', () => {
    expect(read(`import { journey } from './my-journeys.ts'\njourney('x', (j) => j)`)).toBeUndefined()
    expect(
      read(`import { journey } from '@testbed/core'\njourney('x', { tags: TAGS }, (j) => j)`),
    ).toBeUndefined()
  })

  test.for([
    ['tags that are not literals', `test('a', { tags: TAGS }, () => {})`],
    ['options from a variable', `test('a', options, () => {})`],
    ['spread options', `test('a', { ...options }, () => {})`],
    ['a bare call that may declare tests', `test('a', () => {}); sharedSuite()`],
    ['tests declared in a callback', `cases.forEach((c) => test(c, () => {}))`],
    ['a suite kept in a variable', `const s = describe('s', () => { test('a', () => {}) })`],
    [
      'a renamed suite kept in a variable',
      `import { describe as d } from 'vitest'; const s = d('s', () => {})`,
    ],
    [
      'a test API from a namespace import',
      `import * as v from 'vitest'; v.test('a', { tags: ['x'] }, () => {})`,
    ],
    ['options after a non-function second argument', `test('a', make(), () => {})`],
    ['no test at all', `isolationSuite('a')`],
    ['a syntax error', `test('a', () => {`],
  ])('gives up on %s', ([, source]) => {
    expect(read(source as string)).toBeUndefined()
  })
})
