// The audit trail: one JSON line per attempt to run other than the policy says, appended (never
// rewritten) so that a CI job can keep the file as an artifact.
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

export const AUDIT_FILE = '.testbed/policy-audit.jsonl'

/** refused: the run failed for it; warned: it went ahead, flagged; allowed: the policy let it. */
export type Outcome = 'refused' | 'warned' | 'allowed'

export interface AuditEntry {
  /** ISO time of the attempt. */
  at: string
  /** `git rev-parse HEAD` of the repository, or null outside a git checkout. */
  commit: string | null
  policy: { file: string; digest: string | null; version: string | null }
  pipeline: string | null
  /** What was attempted: `TESTBED_SKIP_CACHE=1`, `--retry 3`, `testbed.policy.json changed`, … */
  what: string
  /** The policy's field it runs against: `restrictions.allowCacheBypass`, … */
  rule: string
  outcome: Outcome
  reason: string
}

/** `TESTBED_POLICY_AUDIT` (relative to the root), else `.testbed/policy-audit.jsonl` at the root. */
export const auditPath = (root: string, env: NodeJS.ProcessEnv = process.env) =>
  resolve(root, env.TESTBED_POLICY_AUDIT?.trim() || AUDIT_FILE)

export function headCommit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  } catch {
    return null
  }
}

export function appendAudit(file: string, entries: readonly AuditEntry[]): void {
  if (!entries.length) return
  mkdirSync(dirname(file), { recursive: true })
  appendFileSync(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''))
}
