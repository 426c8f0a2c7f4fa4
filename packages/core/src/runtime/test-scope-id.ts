import { randomBytes } from 'node:crypto'
import { processSingleton } from '../shared/process-singleton.js'

// Shared by every module of a worker (plugins may be loaded from dist and from src alike).
const state = processSingleton('test-scope-ids', () => ({ tag: randomBytes(3).toString('hex'), counter: 0 }))

/**
 * `w<pool>-<random>-<n>`: an id no other test of any run has, for the names a plugin gives a test's
 * own resources (a key prefix, a subject, a stream, a bucket). Lowercase letters, digits and
 * hyphens, at most 24 characters: valid in all of them. The random part keeps apart two runs that
 * share a server (`env`), even from machines whose processes have the same pids.
 */
export function testScopeId(): string {
  state.counter += 1
  return `w${process.env.VITEST_POOL_ID ?? '0'}-${state.tag}-${state.counter.toString(36)}`
}
