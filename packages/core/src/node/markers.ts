import type { TestTagDefinition } from 'vitest'
import { requirementTag } from '../shared/requirement.js'

const minutes = (n: number) => n * 60_000

/** Per-test time budgets, in ms: a marker's budget is the timeout of the tests it marks (the longest wins). */
export interface MarkerBudgets {
  tier1: number
  tier2: number
  tier3: number
  e2e: number
  slow: number
  infrastructure: number
}

export const defaultBudgets: MarkerBudgets = {
  tier1: 5_000,
  tier2: 30_000,
  // Before tier3: at equal budgets the earlier one is the marker a test's budget is reported under.
  e2e: minutes(15),
  tier3: minutes(15),
  slow: minutes(45),
  infrastructure: minutes(60),
}

export interface MarkerOptions {
  budgets?: Partial<MarkerBudgets>
  /** Retries for tests marked `flaky` (a pass after a retry is reported as flaky). */
  flakyRetries?: number
  /** Your own markers, added to the catalog (augment Vitest's `TestTags` to type their names in tests). */
  extra?: Array<Omit<TestTagDefinition, 'name'> & { name: string }>
}

/**
 * Testbed's marker catalog as Vitest tag definitions. When a test carries several budgeted markers,
 * the longest budget wins (a `tier3` test that is also `slow` gets the slow budget).
 */
export function markerCatalog(services: readonly string[], options: MarkerOptions = {}): TestTagDefinition[] {
  const budgets = { ...defaultBudgets, ...options.budgets }
  const byBudget = (Object.keys(budgets) as Array<keyof MarkerBudgets>).sort(
    (a, b) => budgets[b] - budgets[a],
  )
  const descriptions: Record<keyof MarkerBudgets, string> = {
    tier1: 'unit: no infrastructure',
    tier2: 'integration: real services',
    tier3: 'end-to-end user journeys',
    e2e: 'end-to-end test',
    slow: 'slow test (excluded with --tags-filter "not slow")',
    infrastructure: 'provisions infrastructure',
  }
  return [
    ...services.map((service) => ({
      name: requirementTag(service),
      description: `needs the ${service} service`,
    })),
    ...byBudget.map((name, index) => ({
      name,
      description: `${descriptions[name]}; budget ${budgets[name] / 1000} s`,
      timeout: budgets[name],
      priority: index + 1,
      // Which budget a test got, for journeys (their budget bounds all their steps together).
      meta: { testbedBudget: { marker: name, ms: budgets[name] } },
    })),
    { name: 'enterprise', description: 'enterprise feature: runs in the enterprise pipeline' },
    {
      name: 'flaky',
      description: 'known flaky: retried, and reported as flaky when a retry passes',
      retry: options.flakyRetries ?? 2,
    },
    ...(options.extra ?? []),
  ] as TestTagDefinition[]
}
