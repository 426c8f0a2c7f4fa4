// Who may read and who may write the result cache. Reading a stored pass is harmless to trust only
// if nobody untrusted could have written it, so writing is the permission that matters: a pull
// request from a fork runs in CI, and CI reads unless told `TESTBED_CACHE=readwrite` (which a
// workflow sets only on trusted events: pushes to the default branch).

export const CACHE_VARIABLE = 'TESTBED_CACHE'
export const VERIFY_VARIABLE = 'TESTBED_CACHE_VERIFY'

export type CacheMode = 'off' | 'read' | 'readwrite'
const MODES: readonly CacheMode[] = ['off', 'read', 'readwrite']

export class CacheSettingError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CacheSettingError'
    this.stack = `${this.name}: ${message}` // one line, as the policy's refusals
  }
}

/**
 * The mode of a run whose config has a result cache: `TESTBED_CACHE` when set, else the config's
 * `mode`, else `read` in CI (`CI` set) and `readwrite` elsewhere.
 */
export function cacheMode(
  configured: CacheMode | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CacheMode {
  const value = env[CACHE_VARIABLE]?.trim().toLowerCase()
  if (value) {
    if (!MODES.includes(value as CacheMode))
      throw new CacheSettingError(`${CACHE_VARIABLE}=${env[CACHE_VARIABLE]}: expected off, read or readwrite`)
    return value as CacheMode
  }
  if (configured) return configured
  const ci = env.CI?.trim().toLowerCase()
  return ci && ci !== '0' && ci !== 'false' ? 'read' : 'readwrite'
}

/** The share of hits re-run anyway (0 to 1): `TESTBED_CACHE_VERIFY`, else the config's, else 0. */
export function verifyRate(configured: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const value = env[VERIFY_VARIABLE]?.trim()
  const rate = value ? Number(value) : (configured ?? 0)
  if (!Number.isFinite(rate) || rate < 0 || rate > 1)
    throw new CacheSettingError(
      `${value ? `${VERIFY_VARIABLE}=${value}` : 'resultCache.verify'}: expected a number from 0 to 1`,
    )
  return rate
}
