/** The marker that says a test needs a service: `requires_postgres` for `postgres`. */
export const REQUIRES_PREFIX = 'requires_'

export function requirementTag(service: string): string {
  return `${REQUIRES_PREFIX}${service}`
}

/** The services a test's tags ask for, in tag order. */
export function servicesRequiredBy(tags: readonly string[] | undefined): string[] {
  return (tags ?? []).filter((t) => t.startsWith(REQUIRES_PREFIX)).map((t) => t.slice(REQUIRES_PREFIX.length))
}
