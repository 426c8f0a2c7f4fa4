/**
 * What the main process tells workers about a service. Everything here crosses a process boundary
 * (HTTP to workers, `provide` to projects), so it must stay structured-cloneable plain data.
 */
export type ProviderKind = 'env' | 'container' | 'binary' | 'embedded' | 'compose' | (string & {})

export interface ProviderAttempt {
  provider: ProviderKind
  /** `skipped`: the provider does not apply here (nothing configured, no engine, no binary). */
  outcome: 'ready' | 'skipped' | 'failed'
  reason?: string
  ms: number
}

interface StatusBase {
  name: string
  attempts: ProviderAttempt[]
}

export interface ReadyStatus<Connection = unknown> extends StatusBase {
  state: 'ready'
  provider: ProviderKind
  connection: Connection
  /** Variables exported to code under test (also set in each worker's `process.env`). */
  env: Record<string, string>
  /** Where the service is, with secrets redacted: safe to print. */
  endpoint: string
  /** What the provider says of it: "from /usr/lib/postgresql/15/bin", an image name. */
  detail?: string
  /** Set for a stand-in (an emulator): what it is. */
  emulated?: string
  startMs: number
}

export interface UnavailableStatus extends StatusBase {
  /** `unavailable`: no provider could supply it (skip, or fail when strict). `broken`: it started but
   * provisioning failed (a migration error, say): always a failure, since a skip would hide the bug. */
  state: 'unavailable' | 'broken'
  reason: string
}

export type ServiceStatus<Connection = unknown> = ReadyStatus<Connection> | UnavailableStatus

/** One line per provider: "env: DATABASE_URL is not set; binary: initdb not found …". */
export function describeAttempts(attempts: readonly ProviderAttempt[]): string {
  return attempts.map((a) => `${a.provider}: ${a.reason ?? a.outcome}`).join('; ')
}

/**
 * The text of a thrown value for a reason: never empty, since an empty reason tells the user nothing
 * (`Error` thrown without a message becomes "Error (thrown without a message)").
 */
export function reasonFromError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  if (text.trim()) return text
  const kind = error instanceof Error ? error.name : typeof error
  return `${kind} (thrown without a message)`
}
