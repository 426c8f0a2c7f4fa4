// What testbed.policy.json says, as validated against policy.schema.json (the package's published schema).

export const POLICY_FILE = 'testbed.policy.json'
export const LOCK_FILE = 'testbed.policy.lock'

export interface PipelinePolicy {
  /** The tags expression the config's pipeline must select with. */
  select?: string
  /** Services whose absence fails the pipeline's tests. */
  require?: string[]
  /** Services the pipeline must not take from an emulator. */
  real?: string[]
  /** Tests skipped with a reason: whether allowed, and how many at most. */
  skipped?: { allowed: boolean; max?: number }
  /** Retries per test at most; flaky passes (passed on a retry) per run at most. */
  retries?: { max: number; flaky?: number }
  restrictions?: {
    allowCacheBypass?: boolean
    allowCheckSkip?: boolean
    maxConcurrency?: number
  }
}

export interface Policy {
  $schema?: string
  version: string
  locked: boolean
  enforcement: 'hard' | 'soft'
  pipelines: Record<string, PipelinePolicy>
}

/** A policy as loaded: the file, its content and the digest of its canonical form. */
export interface LoadedPolicy {
  /** Absolute path of testbed.policy.json. */
  file: string
  policy: Policy
  /** `sha256:<hex>` over the RFC 8785 canonical form. */
  digest: string
}

// The message says all there is: without the stack, Vitest prints it as the one line it is.
const withoutStack = (error: Error) => {
  error.stack = `${error.name}: ${error.message}`
}

/** A policy file that cannot be used (unreadable, not JSON, not valid against the schema, no lock). */
export class PolicyError extends Error {
  override name = 'PolicyError'
  constructor(message: string) {
    super(message)
    withoutStack(this)
  }
}

/** A run the policy refuses: a lock mismatch, or a bypass under hard enforcement. */
export class PolicyViolation extends Error {
  override name = 'PolicyViolation'
  constructor(message: string) {
    super(message)
    withoutStack(this)
  }
}
