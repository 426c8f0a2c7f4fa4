/**
 * Services whose absence must fail tests rather than skip them, from `TESTBED_REQUIRE`
 * (a comma list, or `all`); CI sets it so that nothing the machine can provide is quietly skipped.
 */
export function requiredFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const value = env.TESTBED_REQUIRE?.trim()
  if (!value) return []
  return value === 'all' || value === '*'
    ? ['*']
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
}
