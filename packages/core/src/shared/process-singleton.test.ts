import { describe, expect, test } from 'vitest'
import { processSingleton } from './process-singleton.ts'

describe('processSingleton', { tags: ['tier1'] }, () => {
  test('one value per key, created once, kept on globalThis under Symbol.for("testbed." + key)', () => {
    let created = 0
    const key = `test.${Math.random()}`
    const first = processSingleton(key, () => ({ n: ++created }))
    const again = processSingleton(key, () => ({ n: ++created }))
    expect(again).toBe(first)
    expect(created).toBe(1)
    // Another copy of this module (another project's module graph) finds it under the same symbol.
    expect((globalThis as Record<symbol, unknown>)[Symbol.for(`testbed.${key}`)]).toBe(first)
    delete (globalThis as Record<symbol, unknown>)[Symbol.for(`testbed.${key}`)]
  })

  test('a value that is undefined is still created only once', () => {
    let created = 0
    const key = `test.${Math.random()}`
    processSingleton(key, () => {
      created++
      return undefined
    })
    processSingleton(key, () => {
      created++
      return undefined
    })
    expect(created).toBe(1)
    delete (globalThis as Record<symbol, unknown>)[Symbol.for(`testbed.${key}`)]
  })
})
