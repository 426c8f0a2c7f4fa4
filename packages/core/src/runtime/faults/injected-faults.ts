import type { TaskMeta } from 'vitest'

declare module 'vitest' {
  interface TaskMeta {
    /** The faults a test injected through the `faults` fixture (`latency`, `restart postgres`), for the reporter. */
    testbedFaults?: string[]
  }
}

/** Notes on the test that it injected `fault`, once. */
export function recordFault(meta: TaskMeta, fault: string): void {
  const faults = meta.testbedFaults ?? []
  if (!faults.includes(fault)) meta.testbedFaults = [...faults, fault]
}
