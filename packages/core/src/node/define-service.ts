import { NotApplicable } from '../shared/errors.js'
import type { ProviderKind } from '../shared/service-status.js'
import type { ProviderContext } from './provider-context.js'
import type { ReadinessPolicy } from './readiness.js'

/** A running instance a provider produced. `connection` must be structured-cloneable. */
export interface ProvidedInstance<Connection> {
  connection: Connection
  /** Human-readable detail for the service table, e.g. "from /usr/lib/postgresql/15/bin". */
  detail?: string
  /**
   * Set when this is a stand-in, not the real product (an emulator): says what it is. The reporter
   * says so plainly, and a pipeline can refuse it (`real: ['vault']`).
   */
  emulated?: string
  /**
   * Overrides the service's readiness policy for this instance. An existing server (`env`) is not
   * booting: its providers give up at once on a refused connection (`existingServerReadiness`).
   */
  readiness?: Partial<ReadinessPolicy>
}

/** How long a server that should already be up may take to answer: `TESTBED_ENV_TIMEOUT_MS`, 30 s by default. */
export function envTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TESTBED_ENV_TIMEOUT_MS
  if (raw === undefined || raw === '') return 30_000
  const ms = Number(raw)
  if (!Number.isInteger(ms) || ms <= 0)
    throw new Error(
      `TESTBED_ENV_TIMEOUT_MS must be a positive number of milliseconds, not ${JSON.stringify(raw)}`,
    )
  return ms
}

/**
 * Readiness for servers that should already be up (`env`): a refused connection or an unknown host
 * is reported at once; a server that is there but slow (under CPU load, say) is waited for, up to
 * `TESTBED_ENV_TIMEOUT_MS` (read when a provider yields it, so the variable counts at start time).
 */
export const existingServerReadiness: Partial<ReadinessPolicy> = {
  unreachableIsFinal: true,
  get timeoutMs() {
    return envTimeoutMs()
  },
}

/**
 * What a provider's `diagnose` says of this machine, for `testbed doctor`. Everything here is printed:
 * secrets redacted (`postgres://app:***@db:5432/app`, a token as `***`).
 */
export interface ProviderDiagnosis {
  /** Whether the provider applies here: a run would try it rather than skip it. */
  applicable: boolean
  /** Why (not), in the words of a run's skip reason: "neither DATABASE_URL nor PGHOST is set". */
  reason: string
  /** What it found: binaries and their versions, images, variables that are set. */
  found?: Record<string, string>
  /** It applies, but starting it would fail as configured (a `DATABASE_URL` that does not parse). */
  problem?: string
}

export interface Provider<Connection> {
  kind: ProviderKind
  /**
   * When an authoritative provider applies but fails (say `DATABASE_URL` is set and wrong), resolution
   * stops there: silently falling through to another server would hide the misconfiguration.
   */
  authoritative?: boolean
  /**
   * Start or find the service. Throw `NotApplicable` when this provider does not apply here (nothing
   * configured, no engine, no binary); any other error is a failure. Register every resource with
   * `ctx` so it is released on teardown, on Ctrl-C, and when the main process dies.
   */
  start(ctx: ProviderContext): Promise<ProvidedInstance<Connection>>
  /**
   * Whether this provider applies here and what it found, for `testbed doctor`, without starting
   * anything (no server, no container): it looks at variables, binaries and their `--version`, the
   * Docker engine and the image. Reuse the discovery `start` does. `signal` aborts a check that hangs.
   */
  diagnose?(signal: AbortSignal): Promise<ProviderDiagnosis>
}

/**
 * A service plugin. Providers find or start a server and yield what they `Found` (an address, a
 * token); provisioning turns that into the `Connection` tests get (adding keys, templates, mounts).
 */
export interface ServiceDefinition<Connection = unknown, Found = Connection> {
  /** Service name; its marker is `requires_<name>`. */
  name: string
  description?: string
  /** Tried in order; `TESTBED_<NAME>_PROVIDERS=binary,embedded` reorders or narrows them. */
  providers: Provider<Found>[]
  /** Resolves when the service answers; throws (with the reason) while it does not yet. */
  probe?(found: Found, signal: AbortSignal): Promise<void>
  readiness?: Partial<ReadinessPolicy>
  /** Prepare the running service for tests (migrations, keys, buckets); required when Found differs. */
  provision?(found: Found, ctx: ProviderContext): Promise<Connection>
  /**
   * Files or folders (absolute) that the provisioned service is built from, PostgreSQL's migrations
   * say: in `vitest` watch mode a change there (added, edited, removed, renamed) reruns the test
   * files with a `requires_<name>` test, which must pick the change up (see service-watch.ts).
   */
  watch?(): string[]
  /** Variables code under test reads. */
  env?(connection: Connection): Record<string, string>
  /** Where the service is, secrets redacted: printed in the service table. */
  endpoint(connection: Connection): string
  /**
   * What changes this service's tests' results and is known without starting it (PostgreSQL: its
   * migrations' content); a JSON value the result cache puts in the key of every file needing it.
   */
  fingerprint?(): Promise<unknown> | unknown
}

/** Identity helper that keeps plugin definitions type-checked. */
export function defineService<Connection, Found = Connection>(
  definition: ServiceDefinition<Connection, Found>,
): ServiceDefinition<Connection, Found> {
  return definition
}

/**
 * A service this repository marks tests with but cannot provide (its plugin is not installed yet).
 * Tests marked with its `requires_` marker are skipped with `reason` — or fail where it is required.
 */
export function declaredService(name: string, reason: string): ServiceDefinition<never> {
  return {
    name,
    providers: [
      {
        kind: 'plugin',
        async start() {
          throw new NotApplicable(reason)
        },
        async diagnose() {
          return { applicable: false, reason }
        },
      },
    ],
    endpoint: () => '',
  }
}
