/**
 * What a journey leaves in Vitest's task metadata, for Testbed's reporter to find and print: the
 * journey's `describe` carries `testbedJourney`, each of its steps `testbedStep`.
 */

/** A marker's budget, carried by the tests it marks (the marker catalog puts it in the tag's `meta`). */
export interface MarkerBudgetMeta {
  marker: string
  ms: number
}

export interface JourneyMeta {
  name: string
}

export interface StepMeta {
  /** The step's place in its journey, from 0. */
  index: number
  /** Set when the step passed only after the journey ran again from its first step. */
  rerunFromStart?: boolean
}

declare module 'vitest' {
  interface TaskMeta {
    testbedBudget?: MarkerBudgetMeta
    testbedJourney?: JourneyMeta
    testbedStep?: StepMeta
  }
}
