// Testbed's own bypass switches. Without a policy (or where it permits them) they do what they say;
// under a locked policy that forbids them, hard enforcement refuses the run, soft warns.

/** Skips the run's caches: services held by `testbed up` are not reused (the run starts its own). */
export const SKIP_CACHE = 'TESTBED_SKIP_CACHE'
/** Skips the pipelines' checks: `require`, `real`, `TESTBED_REQUIRE`, `TESTBED_REAL` (missing services skip). */
export const SKIP_CHECKS = 'TESTBED_SKIP_CHECKS'

/** A set variable: anything but unset, empty, `0` or `false`. */
export const isSet = (value: string | undefined) =>
  value !== undefined && !['', '0', 'false'].includes(value.trim().toLowerCase())
