import { describe, expect, test } from 'vitest'
import { budgetExceeded, formatDuration } from '../src/runtime/journey/journey-budget.ts'
import { asTestFunction, contextParameter } from '../src/runtime/journey/step-fixtures.ts'

describe("a step's context parameter, as Vitest is shown it", { tags: ['tier1'] }, () => {
  test('the names a step destructures from its second parameter', () => {
    expect(contextParameter((_state: object, { db, task }: { db: 1; task: 2 }) => [db, task])).toEqual({
      names: ['db', 'task'],
    })
    expect(
      contextParameter(async ({ a }: { a: 1 }, { db: database, cache = 2 }: { db: 1; cache?: 2 }) => [
        a,
        database,
        cache,
      ]),
    ).toEqual({ names: ['db', 'cache'] })
    expect(
      contextParameter(function step(_state: object, /* the fixtures */ { db }: { db: 1 }) {
        return db
      }),
    ).toEqual({ names: ['db'] })
  })

  test('none when the step takes no context; the parameter as written when it is not destructured', () => {
    expect(contextParameter(() => ({}))).toBeUndefined()
    expect(contextParameter((state: object) => state)).toBeUndefined()
    expect(contextParameter((_state: object, ctx: object) => ctx)).toEqual({ plain: 'ctx' })
  })

  test("the test function reads as the union of the steps' parameters", () => {
    const run = asTestFunction(() => undefined, [{ names: ['db'] }, undefined, { names: ['db', 'cache'] }])
    expect(run.toString()).toBe('({ db, cache }) => {}')
    expect(asTestFunction(() => undefined, [undefined]).toString()).toBe('() => {}')
  })
})

describe("a journey's budget, in words", { tags: ['tier1'] }, () => {
  test('minutes, seconds or ms, and which budget', () => {
    expect(formatDuration(15 * 60_000)).toBe('15 min')
    expect(formatDuration(90_000)).toBe('90 s')
    expect(formatDuration(1500)).toBe('1.5 s')
    expect(formatDuration(200)).toBe('200 ms')
    expect(budgetExceeded('x', { ms: 45 * 60_000, marker: 'slow' }, 'b')).toBe(
      "journey 'x' exceeded its slow budget of 45 min in step 'b'",
    )
    expect(budgetExceeded('x', { ms: 500 }, 'b')).toBe(
      "journey 'x' exceeded its budget of 500 ms in step 'b'",
    )
  })
})
