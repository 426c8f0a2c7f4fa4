// The emulator driven by real Vault clients: node-vault (npm) in this process and python3-hvac
// (Debian's) in a child process, for what they send: kv-v2 patch, and Vault API the emulator does not
// implement, which must read as the emulator's limit, not as a mistyped path.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import NodeVault from 'node-vault'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '../src/emulator/index.ts'
import { HVAC_PYTHON } from './vault-clients.ts'

const ROOT = 'real-clients-root'
const b64 = (text: string) => Buffer.from(text).toString('base64')
const USE_REAL_VAULT =
  'use a real Vault for it: VAULT_ADDR and VAULT_TOKEN, a container (a Docker engine; TESTBED_VAULT_IMAGE names the image) or vault/bao on PATH'
const limit = (feature: string, request: string) =>
  `the Testbed Vault emulator does not implement ${feature} (${request}); ${USE_REAL_VAULT}`

let emulator: VaultEmulator
beforeEach(async () => {
  emulator = await startVaultEmulator({ rootToken: ROOT })
})
afterEach(async () => {
  await emulator.close()
})

/** What node-vault rejected with: the status and the message it took from Vault's `errors`. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = (await call.then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  )) as Error & { response: { statusCode: number } }
  return { status: error.response.statusCode, message: error.message }
}

describe('node-vault against the emulator', { tags: ['tier2'] }, () => {
  const client = () => NodeVault({ endpoint: emulator.url, token: ROOT })

  test('update (PATCH, merge-patch+json) merges into the latest version as a new version', async () => {
    const vault = client()
    await vault.write('secret/data/app/db', { data: { user: 'u', password: 'p1', pool: { min: 1, max: 5 } } })
    const patched = await vault.update('secret/data/app/db', {
      data: { password: 'p2', pool: { max: 9 }, user: null, added: ['x'] },
    })
    expect(patched.data).toEqual({
      created_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      custom_metadata: null,
      deletion_time: '',
      destroyed: false,
      version: 2,
    })
    expect(patched.mount_type).toBe('kv')
    const read = await vault.read('secret/data/app/db')
    expect(read.data.data).toEqual({ password: 'p2', pool: { min: 1, max: 9 }, added: ['x'] })
    expect(read.data.metadata.version).toBe(2)
    expect((await vault.read('secret/data/app/db?version=1')).data.data.password).toBe('p1')
  })

  test('update honours options.cas: the current version passes, another is refused as by a write', async () => {
    const vault = client()
    await vault.write('secret/data/c', { data: { v: 1 } })
    expect(await refusal(vault.update('secret/data/c', { options: { cas: 0 }, data: { v: 2 } }))).toEqual({
      status: 400,
      message: 'check-and-set parameter did not match the current version',
    })
    expect((await vault.update('secret/data/c', { options: { cas: 1 }, data: { v: 2 } })).data.version).toBe(
      2,
    )
    await vault.write('secret/config', { cas_required: true })
    expect(await refusal(vault.update('secret/data/c', { data: { v: 3 } }))).toEqual({
      status: 400,
      message: 'check-and-set parameter required for this call',
    })
  })

  test('update of a secret that is not there, or whose latest version is deleted: 404', async () => {
    const vault = client()
    const missing = await refusal(vault.update('secret/data/none', { data: { a: 'b' } }))
    expect(missing).toEqual({ status: 404, message: 'Status 404' }) // Vault's empty `errors`
    await vault.write('secret/data/gone', { data: { a: 'b' } })
    await vault.delete('secret/data/gone')
    const deleted = (await vault
      .update('secret/data/gone', { data: { a: 'c' } })
      .catch((e: unknown) => e)) as {
      response: { statusCode: number; body: { data: Record<string, unknown> } }
    }
    expect(deleted.response.statusCode).toBe(404)
    expect(deleted.response.body.data).toMatchObject({ version: 1, destroyed: false })
    expect(deleted.response.body.data.deletion_time).toMatch(/^\d{4}-/)
    expect(await refusal(vault.update('secret/data/gone', {}))).toEqual({
      status: 400,
      message: 'no data provided',
    })
  })

  test('paths of Vault the emulator does not implement: 501 naming them, unlike a mistyped path', async () => {
    const vault = client()
    await vault.mount({ mount_point: 'transit', type: 'transit' })
    await vault.transitCreateKey({ name: 'k' })
    expect(await refusal(vault.write('transit/hmac/k', { input: b64('data') }))).toEqual({
      status: 501,
      message: limit("transit's HMAC", 'POST transit/hmac/k'),
    })
    for (const [path, feature] of [
      ['transit/sign/k', "transit's signing"],
      ['transit/verify/k', "transit's signature and HMAC verification"],
      ['transit/hash', "transit's hash"],
      ['transit/random/32', "transit's random bytes"],
    ]) {
      expect((await refusal(vault.write(path as string, { input: b64('data') }))).message).toBe(
        limit(feature as string, `POST ${path}`),
      )
    }
    expect(await refusal(vault.tokenCreate({ policies: ['default'] }))).toEqual({
      status: 501,
      message: limit("the token store's auth/token/create", 'POST auth/token/create'),
    })
    expect((await refusal(vault.policies())).message).toBe(limit('sys/policy', 'GET sys/policy'))
    expect((await refusal(vault.update('secret/metadata/app', { max_versions: 3 }))).message).toBe(
      limit("kv-v2's metadata patch", 'PATCH secret/metadata/app'),
    )
    expect((await refusal(vault.help('secret/data/app'))).message).toBe(
      limit("Vault's help text (?help=1)", 'GET secret/data/app'),
    )
    // Still Vault's own answers: an unmounted prefix, and a path no transit API has.
    expect(await refusal(vault.write('transitt/hmac/k', {}))).toEqual({
      status: 404,
      message: 'no handler for route "transitt/hmac/k". route entry not found.',
    })
    expect(await refusal(vault.write('transit/no-such-endpoint/k', {}))).toEqual({
      status: 404,
      message: '1 error occurred:\n\t* unsupported path\n\n',
    })
  })
})

const hvacScript = fileURLToPath(new URL('./hvac-client.py', import.meta.url))
const run = promisify(execFile)

// biome-ignore lint/suspicious/noExplicitAny: the script's JSON, which each assertion checks
async function hvac(scenario: string): Promise<any> {
  const env = { ...process.env, VAULT_ADDR: emulator.url, VAULT_TOKEN: ROOT, NO_PROXY: '127.0.0.1' }
  const { stdout } = await run(HVAC_PYTHON, [hvacScript, scenario], { env })
  return JSON.parse(stdout)
}

describe('python3-hvac against the emulator', { tags: ['tier2', 'requires_vault_clients'] }, () => {
  test('secrets.kv.v2.patch (a read, then a write with cas) and the read after it', async () => {
    const { created, patched, read, missing } = await hvac('kv-patch')
    expect(created.returned.version).toBe(1)
    expect(patched.returned.version).toBe(2)
    expect(read.returned.data).toEqual({ user: 'u', password: 'p2' })
    expect(read.returned.metadata.version).toBe(2)
    expect(missing).toMatchObject({
      raised: 'InvalidPath',
      message: 'No value found at "app/none"; patch only works on existing data.',
    })
  })

  test('a path the emulator does not implement raises with the emulator naming it', async () => {
    const { hmac, token, mistyped } = await hvac('not-implemented')
    // hvac maps every 501 to VaultNotInitialized (sys/health's 501); the message says what it is.
    expect(hmac).toEqual({
      raised: 'VaultNotInitialized',
      errors: [limit("transit's HMAC", 'POST transit/hmac/k')],
      message: limit("transit's HMAC", 'POST transit/hmac/k'),
    })
    expect(token.errors).toEqual([limit("the token store's auth/token/create", 'POST auth/token/create')])
    expect(mistyped).toMatchObject({
      raised: 'InvalidPath',
      errors: ['no handler for route "transitt/hmac/k". route entry not found.'],
    })
  })
})
