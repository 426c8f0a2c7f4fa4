import type { MarkerBudgets } from '../../node/markers.js'
import type { MarkerBudgetMeta } from './journey-meta.js'

/** The catalog's markers that carry a time budget (kept in step with `MarkerBudgets` by the type). */
const budgeted: Record<keyof MarkerBudgets, true> = {
  tier1: true,
  tier2: true,
  tier3: true,
  e2e: true,
  slow: true,
  infrastructure: true,
}

/** True when one of `tags` is a marker with a budget. */
export function hasBudgetedMarker(tags: readonly string[]): boolean {
  return tags.some((tag) => Object.hasOwn(budgeted, tag))
}

/** A journey's budget: its own, or its markers' (the longest, as for tests); `undefined` when neither. */
export interface JourneyBudget {
  ms: number
  /** The marker the budget comes from; absent for a journey's own `budget`. */
  marker?: string
}

export function journeyBudget(own: number | undefined, fromMarkers: MarkerBudgetMeta | undefined) {
  if (own !== undefined) return { ms: own }
  return fromMarkers && { ms: fromMarkers.ms, marker: fromMarkers.marker }
}

/** `15 min`, `1.5 s`, `200 ms`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(1))} s`
  return `${ms} ms`
}

export function budgetExceeded(journey: string, budget: JourneyBudget, step: string): string {
  const which = budget.marker ? `its ${budget.marker} budget` : 'its budget'
  return `journey '${journey}' exceeded ${which} of ${formatDuration(budget.ms)} in step '${step}'`
}

/** Thrown when a journey runs past its budget: the running step fails with it, and is not retried. */
export class JourneyBudgetExceeded extends Error {
  override name = 'JourneyBudgetExceeded'
}

/**
 * Runs `work`, failing with `message` when `deadline` (a `performance.now()` time) comes first. The
 * work itself cannot be stopped from outside; it is abandoned, and the step fails at once.
 */
export async function beforeDeadline<T>(
  deadline: number,
  message: string,
  work: () => Promise<T>,
): Promise<T> {
  if (performance.now() >= deadline) throw new JourneyBudgetExceeded(message)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new JourneyBudgetExceeded(message)),
      Math.max(0, deadline - performance.now()),
    )
  })
  try {
    return await Promise.race([work(), expired])
  } finally {
    clearTimeout(timer)
  }
}
