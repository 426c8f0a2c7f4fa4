// A last line of defence: plugins redact what their checks find, and whatever they missed is caught
// here. Every value of a secret-named variable, and every password in a URL-valued one, is replaced
// by `***` anywhere in the report.
import { redactValue } from '@testbed/core/config'

/** The password of a URL (`scheme://user:password@host`), up to the authority's last `@`, as `redactUrl` reads it. */
function passwordIn(url: string): string | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)
  if (!scheme) return undefined
  const rest = url.slice(scheme[0].length)
  const at = rest.lastIndexOf('@')
  if (at < 0) return undefined
  const userinfo = rest.slice(0, at)
  const colon = userinfo.indexOf(':')
  return colon < 0 ? undefined : userinfo.slice(colon + 1) || undefined
}

/** The secrets this environment holds: what the report must never show. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  const secrets = new Set<string>()
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue
    if (redactValue(name, value) === '***') secrets.add(value)
    for (const part of value.split(',')) {
      const password = passwordIn(part.trim())
      if (!password) continue
      secrets.add(password)
      try {
        secrets.add(decodeURIComponent(password))
      } catch {}
    }
  }
  // A very short value (`1`, `ab`) would blank out unrelated text; such a secret protects nothing anyway.
  return [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)
}

/** `value` with every string in it scrubbed of `secrets`. */
export function scrub<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string')
    return secrets.reduce<string>((s, secret) => s.split(secret).join('***'), value) as T
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets)) as T
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [scrub(k, secrets), scrub(v, secrets)]),
    ) as T
  return value
}
