import { testScopeId } from '@testbed/core'
import type { VaultConnection } from './connection.js'
import { VaultClient } from './vault-client.js'

/** A transit key of one test's own. */
export interface TestTransitKey {
  /** `testbed-<id>`, or `testbed-<label>-<id>` given a label; `<id>` is no other test's. */
  name: string
  /** Deletes the key; calling it again does nothing. */
  release(): Promise<void>
}

/**
 * Creates a transit key (under the connection's mount) that no other test uses: what the `transitKey`
 * fixture gives. A `label` tells two keys of one test apart: `testTransitKey(connection, { label: 'notes' })`.
 */
export async function testTransitKey(
  connection: VaultConnection,
  options: { label?: string } = {},
): Promise<TestTransitKey> {
  const client = new VaultClient(connection)
  const name = ['testbed', options.label, testScopeId()].filter(Boolean).join('-')
  await client.createKey(name)
  let released: Promise<void> | undefined
  return {
    name,
    release: () => {
      released ??= client.deleteKey(name)
      return released
    },
  }
}
