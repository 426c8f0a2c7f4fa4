// The policy in Testbed's reports: its identity (file, version, digest) on the terminal summary and in
// $GITHUB_STEP_SUMMARY, with this run's audit entries. (Each test's JUnit property: runtime/setup.ts.)
import type { AuditEntry, Outcome } from './audit-log.js'
import { POLICY_FILE } from './policy.js'
import type { RunPolicy } from './run-policy.js'

const mark: Record<Outcome, string> = { refused: '✗', warned: '⚠', allowed: '✓' }

/** `testbed.policy.json version 1.2.0 (sha256:…, locked, hard)` */
export function policyIdentity(policy: RunPolicy): string {
  const { policy: p, digest } = policy.loaded
  return `${POLICY_FILE} version ${p.version} (${digest}, ${p.locked ? 'locked' : 'not locked'}, ${p.enforcement})`
}

export function policyLines(policy: RunPolicy, entries: readonly AuditEntry[]): string[] {
  return [
    ` Policy: ${policyIdentity(policy)}`,
    ...(policy.versionChange ? [`   ${policy.versionChange}`] : []),
    ...policy.notes.map((note) => `   ${note}`),
    ...entries.map((e) => `   ${mark[e.outcome]} ${e.outcome} [${e.pipeline}] ${e.what} — ${e.reason}`),
    ...(entries.length ? [`   audit: ${policy.auditFile}`] : []),
  ]
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

export function policyMarkdown(policy: RunPolicy, entries: readonly AuditEntry[]): string {
  return [
    '',
    `**Policy**: ${cell(policyIdentity(policy))}`,
    '',
    ...(policy.versionChange ? [`${policy.versionChange}`, ''] : []),
    ...policy.notes.flatMap((note) => [note, '']),
    ...(entries.length
      ? [
          '| outcome | pipeline | attempt | rule | why | when | commit |',
          '|---|---|---|---|---|---|---|',
          ...entries.map(
            (e) =>
              `| ${mark[e.outcome]} ${e.outcome} | ${e.pipeline ?? ''} | ${cell(e.what)} | ${e.rule} | ${cell(e.reason)} | ${e.at} | ${e.commit?.slice(0, 12) ?? '—'} |`,
          ),
          '',
          `Audit trail: \`${policy.auditFile}\``,
          '',
        ]
      : ['No attempt to go around the policy.', '']),
  ].join('\n')
}
