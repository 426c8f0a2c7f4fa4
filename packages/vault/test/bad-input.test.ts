import { createServer } from 'node:net'
import { describe, expect, test } from 'vitest'
import { VaultClient } from '../src/vault-client.ts'
import { VaultError } from '../src/vault-http.ts'
import { emulatorProcess, ready, reasonOf, startVault, stopAndCheck } from './start-vault.ts'

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('bad Vault input gets one clear error', { tags: ['tier2'] }, () => {
  test('a wrong VAULT_TOKEN: 403, naming where the token came from and never the token', async () => {
    const { address } = await emulatorProcess('the-right-token')
    const started = await startVault({ VAULT_ADDR: address, VAULT_TOKEN: 'a-wrong-token' })
    expect(reasonOf(started)).toBe(
      `vault unavailable: env: ${address} refused the token from VAULT_TOKEN: 403 permission denied`,
    )
    expect(JSON.stringify(started.status)).not.toContain('a-wrong-token')
    expect(started.status.attempts.map((a) => a.provider)).toEqual(['env']) // not replaced by the emulator
  })

  test('VAULT_ADDR on a closed port: refused at once, naming the request and the cause', async () => {
    const port = await closedPort()
    const started = await startVault({ VAULT_ADDR: `http://127.0.0.1:${port}`, VAULT_TOKEN: 't' })
    // Not "not ready after … ms: fetch failed": the cause, and no wait for a server that is not there.
    expect(reasonOf(started)).toBe(
      `vault unavailable: env: GET http://127.0.0.1:${port}/v1/sys/health: connect ECONNREFUSED 127.0.0.1:${port}`,
    )
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('VAULT_ADDR without VAULT_TOKEN, and VAULT_ADDRs that are no usable URL', async () => {
    const noToken = await startVault({ VAULT_ADDR: 'http://127.0.0.1:8200' })
    expect(reasonOf(noToken)).toBe(
      'vault unavailable: env: VAULT_ADDR is set (http://127.0.0.1:8200) but VAULT_TOKEN is not',
    )
    const notUrl = await startVault({ VAULT_ADDR: 'vault.internal:8200', VAULT_TOKEN: 't' })
    expect(reasonOf(notUrl)).toBe(
      'vault unavailable: env: VAULT_ADDR is not a valid Vault URL: it must start with http:// or https:// ("vault.internal:8200")',
    )
    const emptyPort = await startVault({ VAULT_ADDR: 'http://127.0.0.1:', VAULT_TOKEN: 't' })
    expect(reasonOf(emptyPort)).toBe(
      'vault unavailable: env: VAULT_ADDR is not a valid Vault URL: its port is empty ("http://127.0.0.1:")',
    )
    // The explicit setting is authoritative: the emulator was not started in its place.
    expect(emptyPort.status.attempts.map((a) => a.provider)).toEqual(['env'])
  })

  test('an empty TESTBED_VAULT_PROVIDERS fails loudly instead of trying nothing', async () => {
    const started = await startVault({ TESTBED_VAULT_PROVIDERS: '' })
    expect(started.status.state).toBe('broken')
    expect(reasonOf(started)).toBe(
      'vault misconfigured: TESTBED_VAULT_PROVIDERS is set to "", which names no provider; vault has: env, container, binary, embedded, and up (from testbed up)',
    )
    expect(await stopAndCheck(started)).toEqual([])
  })

  test('a transit key that does not exist, and ciphertext from another key', async () => {
    const client = new VaultClient(ready(await startVault({ TESTBED_VAULT_PROVIDERS: 'embedded' })))
    const fromIntegrationKey = await client.encrypt('test-integration-key', 'secret')
    const missing = client.decrypt('no-such-key', fromIntegrationKey)
    await expect(missing).rejects.toBeInstanceOf(VaultError)
    await expect(missing).rejects.toThrow(
      'vault POST transit/decrypt/no-such-key: 400 encryption key not found',
    )
    await expect(client.decrypt('test-data-key', fromIntegrationKey)).rejects.toThrow(
      'vault POST transit/decrypt/test-data-key: 400 cipher: message authentication failed',
    )
  })
})
