import { describe, expect, test } from 'vitest'
import { defaultBudgets, markerCatalog } from './markers.ts'

describe('the marker catalog', { tags: ['tier1'] }, () => {
  test('has a requires_ marker per service, the tiers with budgets, enterprise and flaky', () => {
    const names = markerCatalog(['postgres', 'vault']).map((t) => t.name)
    expect(names).toEqual([
      'requires_postgres',
      'requires_vault',
      'infrastructure',
      'slow',
      'e2e',
      'tier3',
      'tier2',
      'tier1',
      'enterprise',
      'flaky',
    ])
  })

  test('gives the longest budget the highest priority, so slow wins over tier3', () => {
    const byName = Object.fromEntries(markerCatalog([]).map((t) => [t.name, t]))
    expect(byName.slow?.timeout).toBe(defaultBudgets.slow)
    expect(byName.slow?.priority).toBeLessThan(byName.tier3?.priority as number)
    expect(byName.infrastructure?.priority).toBe(1)
  })

  test("a budgeted marker names its budget in the tag's meta, which journeys read from their steps", () => {
    const byName = Object.fromEntries(markerCatalog([], { budgets: { tier3: 1000 } }).map((t) => [t.name, t]))
    expect(byName.tier3?.meta).toEqual({ testbedBudget: { marker: 'tier3', ms: 1000 } })
    expect(byName.slow?.meta).toEqual({ testbedBudget: { marker: 'slow', ms: defaultBudgets.slow } })
    expect(byName.enterprise?.meta).toBeUndefined()
  })

  test('takes your budgets, retries and markers', () => {
    const catalog = markerCatalog([], {
      budgets: { tier1: 1000, slow: 90 * 60_000 },
      flakyRetries: 5,
      extra: [{ name: 'nightly', description: 'runs at night' }],
    })
    const byName = Object.fromEntries(catalog.map((t) => [t.name, t]))
    expect(byName.tier1?.timeout).toBe(1000)
    expect(byName.slow?.priority).toBe(1) // 90 minutes is now the longest
    expect(byName.flaky?.retry).toBe(5)
    expect(byName.nightly?.description).toBe('runs at night')
  })
})
