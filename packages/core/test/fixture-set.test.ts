import { describe, expect, expectTypeOf, test as vitestTest } from 'vitest'
import { composeFixtures, defineFixtureSet, type FixtureSet, type FixturesOf } from '../src/index.ts'

// Two plugins' worth of fixtures, each written once as a set.
const released: string[] = []

interface AlphaFixtures {
  alphaConnection: { port: number }
  alpha: string
}
const alphaFixtures: FixtureSet<AlphaFixtures> = defineFixtureSet((test) =>
  test
    .extend('alphaConnection', { scope: 'file' }, async () => ({ port: 5432 }))
    .extend('alpha', async ({ alphaConnection }, { onCleanup }) => {
      onCleanup(() => {
        released.push('alpha')
      })
      return `alpha on ${alphaConnection.port}`
    }),
)

const betaFixtures = defineFixtureSet((test) =>
  test.extend('beta', async ({ task }, { onCleanup }) => {
    onCleanup(() => {
      released.push('beta')
    })
    return [task.name.length]
  }),
)

// Composed at the top level of a file: Vitest defines file-scoped fixtures only there.
const test = composeFixtures(vitestTest, alphaFixtures, betaFixtures)
const extended = composeFixtures(
  vitestTest.extend('base', async () => 'from the base'),
  betaFixtures,
).extend('both', async ({ base, beta }) => `${base}, ${beta.length}`)

const alphaOnly = alphaFixtures(vitestTest)

describe('composeFixtures: one test with every set’s fixtures', { tags: ['tier1'] }, () => {
  test('a test sees both sets’ fixtures, typed', ({ alpha, alphaConnection, beta, task }) => {
    expectTypeOf(alpha).toEqualTypeOf<string>()
    expectTypeOf(alphaConnection).toEqualTypeOf<{ port: number }>()
    expectTypeOf(beta).toEqualTypeOf<number[]>()
    expect(alpha).toBe('alpha on 5432')
    expect(beta).toEqual([task.name.length])
  })

  test('each set’s clean-up ran after the test that used it', () => {
    expect(released.sort()).toEqual(['alpha', 'beta'])
  })

  test('a set’s fixtures are what its builder adds; nothing else is in the context', () => {
    expectTypeOf<FixturesOf<typeof betaFixtures>>().toEqualTypeOf<{ beta: number[] }>()
    expectTypeOf<FixturesOf<typeof alphaFixtures>>().toEqualTypeOf<AlphaFixtures>()
    // @ts-expect-error gamma is in no set
    expectTypeOf<FixturesOf<typeof betaFixtures>>().toEqualTypeOf<{ beta: number[]; gamma: string }>()
    // @ts-expect-error beta is numbers
    expectTypeOf<FixturesOf<typeof betaFixtures>>().toEqualTypeOf<{ beta: string }>()
  })

  extended('the base’s fixtures stay, and the composed test extends further', ({ base, both }) => {
    expectTypeOf(base).toEqualTypeOf<string>()
    expectTypeOf(both).toEqualTypeOf<string>()
    expect(both).toBe('from the base, 1')
  })

  alphaOnly('a set applied to a test is that plugin’s `test`', ({ alpha }) => {
    expectTypeOf(alpha).toEqualTypeOf<string>()
    expect(alpha).toBe('alpha on 5432')
  })
})
