import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratchDir } from '@testbed/test-support/scratch-dir'
import { describe, expect, test } from 'vitest'
import { EMULATOR } from '../src/providers/embedded.ts'
import { VaultClient } from '../src/vault-client.ts'
import { emulatorCli, emulatorProcess, ready, reasonOf, startVault, stopAndCheck } from './start-vault.ts'

async function exercise(started: Awaited<ReturnType<typeof startVault>>) {
  const c = ready(started)
  expect(c.keys).toEqual(['test-integration-key', 'test-data-key'])
  const client = new VaultClient(c)
  const ciphertext = await client.encrypt('test-data-key', 'sensitive data')
  expect(ciphertext).toMatch(/^vault:v1:/)
  expect(await client.decrypt('test-data-key', ciphertext)).toBe('sensitive data')
  return c
}

describe('Vault providers', { tags: ['tier2'] }, () => {
  test('embedded: the emulator serves, provisioned with the default keys, and says it is one', async () => {
    const started = await startVault({ TESTBED_VAULT_PROVIDERS: 'embedded' })
    const c = await exercise(started)
    expect(started.status.state === 'ready' && started.status.emulated).toBe(EMULATOR)
    expect(await stopAndCheck(started)).toEqual([])
    await expect(fetch(`${c.address}/v1/sys/health`)).rejects.toThrow('fetch failed')
  })

  test('env: VAULT_ADDR and VAULT_TOKEN name a Vault in another process; provisioning is idempotent', async () => {
    const { address } = await emulatorProcess('outside-token')
    const env = { VAULT_ADDR: address, VAULT_TOKEN: 'outside-token' }
    const first = await startVault(env, { kv: { 'app/db': { password: 'hunter2' } } })
    expect(first.status.state === 'ready' && [first.status.provider, first.status.emulated]).toEqual([
      'env',
      undefined,
    ])
    await exercise(first)
    await first.hub.stopAll()
    const second = await startVault(env, { kv: { 'app/db': { password: 'hunter2' } } })
    const client = new VaultClient(await exercise(second))
    expect(await client.kvRead('app/db')).toEqual({ password: 'hunter2' })
    expect((await fetch(`${address}/v1/sys/health`)).ok).toBe(true) // someone else's server keeps running
  })

  test('binary: `vault server -dev` from PATH, with its dev flags', async () => {
    // No Vault binary exists on this machine; a `vault` on PATH that takes the dev flags and runs
    // the emulator exercises the provider's real work: finding it, the flags, the process, its stop.
    const bin = scratchDir('vault-bin')
    writeFileSync(
      join(bin, 'vault'),
      `#!/bin/sh
for arg; do case "$arg" in
  -dev-root-token-id=*) token="\${arg#*=}" ;;
  -dev-listen-address=*) address="\${arg#*=}" ;;
esac; done
exec "${process.execPath}" "${emulatorCli}" --host "\${address%:*}" --port "\${address##*:}" --token "$token"
`,
    )
    chmodSync(join(bin, 'vault'), 0o755)
    const started = await startVault({
      TESTBED_VAULT_PROVIDERS: 'binary',
      PATH: `${bin}:${process.env.PATH}`,
    })
    expect(started.status.state === 'ready' && started.status.detail).toBe('vault server -dev')
    const c = await exercise(started)
    expect(await stopAndCheck(started)).toEqual([])
    await expect(fetch(`${c.address}/v1/sys/health`)).rejects.toThrow('fetch failed')
  })

  test('binary: neither vault nor bao on PATH is a plain reason', async () => {
    const started = await startVault({ TESTBED_VAULT_PROVIDERS: 'binary', PATH: scratchDir('empty-path') })
    expect(reasonOf(started)).toBe('vault unavailable: binary: neither vault nor bao is on PATH')
  })

  const docker = { DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock' }

  test('container: with an engine but no such image, it falls through with the reason', {
    tags: ['requires_docker'],
  }, async () => {
    const started = await startVault({
      TESTBED_VAULT_PROVIDERS: 'container,embedded',
      TESTBED_VAULT_IMAGE: 'testbed/no-such-vault:0',
      ...docker,
    })
    const [container] = started.status.attempts
    expect(container?.outcome).toBe('failed')
    expect(container?.reason).toMatch(/^testbed\/no-such-vault:0: /)
    expect(started.status.state === 'ready' && started.status.provider).toBe('embedded')
  })

  // No image registry can be reached here; the enterprise workflow sets TESTBED_VAULT_IMAGE where one can.
  test('container: a real Vault in dev mode from TESTBED_VAULT_IMAGE', { tags: ['requires_docker'] }, async ({
    skip,
  }) => {
    const image = process.env.TESTBED_VAULT_IMAGE
    if (!image) skip('TESTBED_VAULT_IMAGE is not set: no Vault image can be had on this machine')
    const started = await startVault({
      TESTBED_VAULT_PROVIDERS: 'container',
      TESTBED_VAULT_IMAGE: image as string,
      ...docker,
    })
    expect(started.status.state === 'ready' && [started.status.provider, started.status.emulated]).toEqual([
      'container',
      undefined,
    ])
    await exercise(started)
    expect(await stopAndCheck(started)).toEqual([])
  })
})
