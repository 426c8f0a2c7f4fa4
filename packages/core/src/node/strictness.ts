/**
 * Services whose absence must fail tests rather than skip them, from `TESTBED_REQUIRE`
 * (a comma list, or `all`); CI sets it so that nothing the machine can provide is quietly skipped.
 */
export function requiredFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return serviceList(env.TESTBED_REQUIRE)
}

/** Services that must be the real thing, not an emulator, from `TESTBED_REAL` (a comma list, or `all`). */
export function realFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return serviceList(env.TESTBED_REAL)
}

function serviceList(variable: string | undefined): string[] {
  const value = variable?.trim()
  if (!value) return []
  if (value === 'all' || value === '*') return ['*']
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}
