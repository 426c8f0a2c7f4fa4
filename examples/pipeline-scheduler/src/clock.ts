/**
 * The service's time. Deployed, it is the wall clock; in test mode an admin may set it
 * (`PUT /api/v1/admin/clock`), so that "daily at 2:00" can be reached without waiting for 2:00.
 * A set clock stands still until set again: nothing a test checks moves on its own.
 */
export interface Clock {
  now(): Date
  set(to: Date): void
}

export function systemClock(): Clock {
  return {
    now: () => new Date(),
    set: () => {
      throw new Error('the clock can only be set in test mode')
    },
  }
}

export function settableClock(start: Date = new Date()): Clock {
  let current = start
  return {
    now: () => new Date(current),
    set: (to) => {
      current = new Date(to)
    },
  }
}
