import { randomBytes } from 'node:crypto'

// Shared by every module of a worker (plugins may be loaded from dist and from src alike).
const STATE = Symbol.for('testbed.test-scope-ids')
type Holder = { [STATE]?: { tag: string; counter: number } }

/**
 * `w<pool>-<random>-<n>`: an id no other test of any run has, for the names a plugin gives a test's
 * own resources (a key prefix, a subject, a stream, a bucket). Lowercase letters, digits and
 * hyphens, at most 24 characters: valid in all of them. The random part keeps apart two runs that
 * share a server (`env`), even from machines whose processes have the same pids.
 */
export function testScopeId(): string {
  const holder = globalThis as Holder
  holder[STATE] ??= { tag: randomBytes(3).toString('hex'), counter: 0 }
  const state = holder[STATE]
  state.counter += 1
  return `w${process.env.VITEST_POOL_ID ?? '0'}-${state.tag}-${state.counter.toString(36)}`
}
