// The policy of a test run, in the main process: loaded once, before any test runs, verified against
// its lock, frozen, and the one place that decides what each attempt to go around it becomes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { type AuditEntry, appendAudit, auditPath, headCommit, type Outcome } from './audit-log.js'
import type { Attempt } from './bypass-attempts.js'
import { deepFreeze } from './deep-freeze.js'
import {
  type LoadedPolicy,
  type PipelinePolicy,
  POLICY_FILE,
  PolicyError,
  PolicyViolation,
} from './policy.js'
import { loadPolicy, verifyLock } from './policy-file.js'

/** The version and digest of the last run's policy, to report a change. */
export const VERSION_FILE = '.testbed/policy-version.json'

export class RunPolicy {
  /** This run's audit entries, in order. */
  readonly entries: AuditEntry[] = []
  /** What the policy changed in this run's settings, for the summary. */
  readonly notes: string[] = []
  /** Set when the policy's version (or content) differs from the last run's. */
  readonly versionChange: string | undefined
  readonly auditFile: string
  private readonly commit: string | null

  constructor(
    readonly root: string,
    readonly loaded: Readonly<LoadedPolicy>,
    env: NodeJS.ProcessEnv,
  ) {
    this.auditFile = auditPath(root, env)
    this.commit = headCommit(root)
    this.versionChange = trackVersion(root, loaded)
  }

  get enforcement() {
    return this.loaded.policy.enforcement
  }

  get locked() {
    return this.loaded.policy.locked
  }

  /** The pipeline's rules; undefined for a project the policy does not list. */
  governs(pipeline: string): Readonly<PipelinePolicy> | undefined {
    return Object.hasOwn(this.loaded.policy.pipelines, pipeline)
      ? this.loaded.policy.pipelines[pipeline]
      : undefined
  }

  /** What an attempt becomes: a draft (unlocked) policy or one that permits it allows it. */
  outcomeOf(attempt: Pick<Attempt, 'permitted'>): Outcome {
    if (attempt.permitted || !this.locked) return 'allowed'
    return this.enforcement === 'hard' ? 'refused' : 'warned'
  }

  /** Records the attempts (the audit file and this run's list) with their outcomes. */
  record(attempts: readonly Attempt[]): AuditEntry[] {
    const at = new Date().toISOString()
    const entries = attempts.map(
      (a): AuditEntry => ({
        at,
        commit: this.commit,
        policy: { file: POLICY_FILE, digest: this.loaded.digest, version: this.loaded.policy.version },
        pipeline: a.pipeline,
        what: a.what,
        rule: a.rule,
        outcome: this.outcomeOf(a),
        reason: a.reason,
      }),
    )
    appendAudit(this.auditFile, entries)
    this.entries.push(...entries)
    return entries
  }

  /** Records the attempts, then refuses the run (throws) if the policy refuses any of them. */
  enforce(attempts: readonly Attempt[]): AuditEntry[] {
    const entries = this.record(attempts)
    const refused = entries.filter((e) => e.outcome === 'refused')
    if (refused.length)
      throw new PolicyViolation(
        `refused by ${POLICY_FILE} (${this.loaded.digest}, version ${this.loaded.policy.version}, hard): ${refused
          .map((e) => `[${e.pipeline}] ${e.what}: ${e.reason}`)
          .join('; ')} (recorded in ${this.auditFile})`,
      )
    return entries
  }
}

function trackVersion(root: string, { policy, digest }: LoadedPolicy): string | undefined {
  const file = join(root, VERSION_FILE)
  let previous: { version?: string; digest?: string } | undefined
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'))
  } catch {}
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify({ version: policy.version, digest })}\n`)
  if (!previous?.version) return undefined
  if (previous.version !== policy.version)
    return `policy version changed since the last run: ${previous.version} → ${policy.version}`
  if (previous.digest !== digest)
    return `policy changed since the last run without a new version (still ${policy.version}; ${previous.digest} → ${digest})`
  return undefined
}

/** Records a policy that could not be used (so the audit shows the refused run), then rethrows. */
function refuseRun(root: string, env: NodeJS.ProcessEnv, error: Error, loaded?: LoadedPolicy): never {
  appendAudit(auditPath(root, env), [
    {
      at: new Date().toISOString(),
      commit: headCommit(root),
      policy: {
        file: POLICY_FILE,
        digest: loaded?.digest ?? null,
        version: loaded?.policy.version ?? null,
      },
      pipeline: null,
      what: error instanceof PolicyViolation ? `${POLICY_FILE} changed` : `${POLICY_FILE} unusable`,
      rule: error instanceof PolicyViolation ? 'lock' : 'schema',
      outcome: 'refused',
      reason: error.message,
    },
  ])
  throw error
}

/**
 * The policy at `root`, or undefined when there is none (one stat: a repository without a policy
 * pays nothing else). Throws PolicyError (not JSON, not valid, a locked policy without its lock) or
 * PolicyViolation (a lock mismatch); either is recorded in the audit first.
 */
export function loadRunPolicy(root: string, env: NodeJS.ProcessEnv = process.env): RunPolicy | undefined {
  if (!existsSync(join(root, POLICY_FILE))) return undefined
  let loaded: LoadedPolicy | undefined
  try {
    loaded = loadPolicy(root)
    if (loaded.policy.locked) verifyLock(root, loaded)
  } catch (error) {
    if (error instanceof PolicyError || error instanceof PolicyViolation)
      refuseRun(root, env, error, error instanceof PolicyViolation ? loaded : undefined)
    throw error
  }
  return new RunPolicy(root, deepFreeze(loaded), env)
}
