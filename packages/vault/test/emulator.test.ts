// The Vault dev-mode emulator over real HTTP on loopback, checked against the request and response
// examples of Vault's API docs (https://developer.hashicorp.com/vault/api-docs): sys/health,
// sys/seal-status, sys/mounts, auth/token/lookup-self, secret/transit and secret/kv/kv-v2.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '../src/emulator/index.ts'

const ROOT = 'test-root-token'
const cli = fileURLToPath(new URL('../dist/emulator/cli.js', import.meta.url))
const b64 = (text: string) => Buffer.from(text).toString('base64')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ENVELOPE_KEYS = [
  'auth',
  'data',
  'lease_duration',
  'lease_id',
  'mount_type',
  'renewable',
  'request_id',
  'warnings',
  'wrap_info',
]

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON body, which each assertion checks
type Json = any
interface Reply {
  status: number
  headers: Headers
  text: string
  body: Json
}

describe('Vault dev-mode emulator', { tags: ['tier2'] }, () => {
  let emulator: VaultEmulator

  beforeEach(async () => {
    emulator = await startVaultEmulator({ rootToken: ROOT })
  })
  afterEach(async () => {
    await emulator.close()
  })

  async function vault(
    method: string,
    path: string,
    options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const token = options.token === undefined ? ROOT : options.token
    const response = await fetch(`${emulator.url}/v1/${path}`, {
      method,
      headers: { ...(token === null ? {} : { 'x-vault-token': token }), ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: text ? JSON.parse(text) : undefined,
    }
  }
  const data = async (method: string, path: string, body?: unknown) => {
    const reply = await vault(method, path, { body })
    expect(reply.status, reply.text).toBe(200)
    return reply.body.data
  }
  const refusal = async (method: string, path: string, body: unknown, status = 400) => {
    const reply = await vault(method, path, { body })
    expect(reply.status, reply.text).toBe(status)
    return reply.body.errors as string[]
  }
  const mountTransit = async () =>
    expect((await vault('POST', 'sys/mounts/transit', { body: { type: 'transit' } })).status).toBe(204)

  describe('sys/health and sys/seal-status: unauthenticated, plain objects', () => {
    test('GET sys/health: an initialized, unsealed, active dev server', async () => {
      const reply = await vault('GET', 'sys/health', { token: null })
      expect(reply.status).toBe(200)
      expect(reply.headers.get('content-type')).toBe('application/json')
      expect(reply.headers.get('x-testbed-emulator')).toBe('vault')
      expect(reply.body).toMatchObject({
        initialized: true,
        sealed: false,
        standby: false,
        performance_standby: false,
        replication_performance_mode: 'disabled',
        replication_dr_mode: 'disabled',
        version: expect.stringMatching(/^1\.\d+\.\d+\+testbed-emulator$/),
        cluster_name: expect.stringMatching(/^vault-cluster-[0-9a-f]{8}$/),
        cluster_id: expect.stringMatching(UUID),
      })
      expect(Math.abs(reply.body.server_time_utc - Date.now() / 1000)).toBeLessThan(5)
      expect(reply.body).not.toHaveProperty('data')
      expect(reply.body).not.toHaveProperty('request_id')
    })

    test('HEAD sys/health answers 200 without a body; other methods 405', async () => {
      const head = await vault('HEAD', 'sys/health', { token: null })
      expect([head.status, head.text]).toEqual([200, ''])
      const post = await vault('POST', 'sys/health', { token: null })
      expect([post.status, post.body]).toEqual([405, { errors: [] }])
    })

    test('GET sys/seal-status: shamir, unsealed, in-memory storage', async () => {
      const reply = await vault('GET', 'sys/seal-status', { token: null })
      const health = await vault('GET', 'sys/health', { token: null })
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        type: 'shamir',
        initialized: true,
        sealed: false,
        t: 1,
        n: 1,
        progress: 0,
        nonce: '',
        version: health.body.version,
        build_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        migration: false,
        cluster_name: health.body.cluster_name,
        cluster_id: health.body.cluster_id,
        recovery_seal: false,
        storage_type: 'inmem',
      })
    })
  })

  describe('tokens and routing', () => {
    test('auth/token/lookup-self: the root token, in the envelope', async () => {
      const reply = await vault('GET', 'auth/token/lookup-self')
      expect(reply.status).toBe(200)
      expect(Object.keys(reply.body).sort()).toEqual(ENVELOPE_KEYS)
      expect(reply.body).toMatchObject({
        request_id: expect.stringMatching(UUID),
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        wrap_info: null,
        warnings: null,
        auth: null,
        mount_type: 'token',
      })
      expect(reply.body.data).toEqual({
        accessor: expect.any(String),
        creation_time: expect.any(Number),
        creation_ttl: 0,
        display_name: 'root',
        entity_id: '',
        expire_time: null,
        explicit_max_ttl: 0,
        id: ROOT,
        meta: null,
        num_uses: 0,
        orphan: true,
        path: 'auth/token/root',
        policies: ['root'],
        ttl: 0,
        type: 'service',
      })
    })

    test('Authorization: Bearer <token> is accepted like X-Vault-Token', async () => {
      const reply = await vault('GET', 'auth/token/lookup-self', {
        token: null,
        headers: { authorization: `Bearer ${ROOT}` },
      })
      expect([reply.status, reply.body.data.id]).toEqual([200, ROOT])
    })

    test('no token, or a wrong one: 403 permission denied, before any routing', async () => {
      for (const path of ['auth/token/lookup-self', 'sys/mounts', 'secret/data/x', 'no/such/route']) {
        const missing = await vault('GET', path, { token: null })
        expect([missing.status, missing.body]).toEqual([403, { errors: ['permission denied'] }])
        const wrong = await vault('GET', path, { token: 'not-the-root-token' })
        expect(wrong.status).toBe(403)
        expect(wrong.body.errors).toHaveLength(1)
        expect(wrong.body.errors[0]).toContain('permission denied')
        expect(wrong.headers.get('x-testbed-emulator')).toBe('vault')
      }
    })

    test('unknown route: 404 in Vault words; unknown method: 405; bad JSON: 400', async () => {
      const unknown = await vault('GET', 'nowhere/at/all')
      expect([unknown.status, unknown.body]).toEqual([
        404,
        { errors: ['no handler for route "nowhere/at/all". route entry not found.'] },
      ])
      const method = await vault('PROPFIND', 'secret/data/x')
      expect([method.status, method.body]).toEqual([405, { errors: [] }])
      const json = await fetch(`${emulator.url}/v1/secret/data/x`, {
        method: 'POST',
        headers: { 'x-vault-token': ROOT },
        body: '{"data":',
      })
      expect(json.status).toBe(400)
      expect(((await json.json()) as Json).errors[0]).toMatch(/^failed to parse JSON input: /)
      const outside = await fetch(`${emulator.url}/v2/sys/health`)
      expect([outside.status, await outside.json()]).toEqual([404, { errors: [] }])
    })

    test("methods Node's HTTP parser does not know: LIST even split across packets, others 405", async () => {
      const { hostname, port } = new URL(emulator.url)
      async function raw(...parts: string[]): Promise<string> {
        const socket = connect(Number(port), hostname)
        const closed = once(socket, 'close')
        let received = ''
        socket.on('data', (chunk: Buffer) => {
          received += chunk
        })
        for (const part of parts) {
          socket.write(part)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        await closed
        return received
      }
      await data('POST', 'secret/data/listed', { data: { a: 1 } })
      const head = `LIST /v1/secret/metadata HTTP/1.1\r\nX-Vault-Token: ${ROOT}\r\n\r\n`
      for (const at of [1, 2, 3, 30]) {
        const listed = await raw(head.slice(0, at), head.slice(at, 40), head.slice(40))
        expect(listed).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
        expect(listed).toMatch(/\r\nx-testbed-emulator: vault\r\n/)
        expect(JSON.parse(listed.slice(listed.indexOf('\r\n\r\n') + 4)).data).toEqual({ keys: ['listed'] })
      }
      const brewed = await raw(`BREW /v1/secret/metadata HTTP/1.1\r\nX-Vault-Token: ${ROOT}\r\n\r\n`)
      expect(brewed).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n[\s\S]*\r\n\r\n\{"errors":\[\]\}\n$/)
    })

    test('a path inside a mount that the engine does not have: 404 unsupported path', async () => {
      await mountTransit()
      const reply = await vault('POST', 'transit/no-such-endpoint/k')
      expect([reply.status, reply.body]).toEqual([
        404,
        { errors: ['1 error occurred:\n\t* unsupported path\n\n'] },
      ])
      const op = await vault('DELETE', 'transit/encrypt/k')
      expect([op.status, op.body]).toEqual([
        405,
        { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] },
      ])
    })
  })

  describe('sys/mounts', () => {
    test("GET lists dev mode's mounts, at the top level and under data", async () => {
      const reply = await vault('GET', 'sys/mounts')
      expect(reply.status).toBe(200)
      expect(reply.body.mount_type).toBe('system')
      const mounts = reply.body.data
      expect(Object.keys(mounts).sort()).toEqual(['cubbyhole/', 'identity/', 'secret/', 'sys/'])
      expect(mounts['secret/']).toMatchObject({
        type: 'kv',
        options: { version: '2' },
        description: 'key/value secret storage',
        accessor: expect.stringMatching(/^kv_[0-9a-f]{8}$/),
        uuid: expect.stringMatching(UUID),
        local: false,
        seal_wrap: false,
        config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
      })
      expect(mounts['sys/'].type).toBe('system')
      expect(mounts['cubbyhole/']).toMatchObject({ type: 'cubbyhole', local: true, options: null })
      expect(mounts['identity/'].type).toBe('identity')
      for (const path of Object.keys(mounts)) expect(reply.body[path]).toEqual(mounts[path])
    })

    test('POST enables transit and kv-v2 (204, empty body), at paths with slashes too', async () => {
      const transit = await vault('POST', 'sys/mounts/team-a/transit', {
        body: { type: 'transit', description: 'KMS' },
      })
      expect([transit.status, transit.text]).toEqual([204, ''])
      expect((await vault('POST', 'sys/mounts/kv2', { body: { type: 'kv-v2' } })).status).toBe(204)
      expect(
        (await vault('POST', 'sys/mounts/kv-opt', { body: { type: 'kv', options: { version: '2' } } }))
          .status,
      ).toBe(204)
      const mounts = await data('GET', 'sys/mounts')
      expect(mounts['team-a/transit/']).toMatchObject({ type: 'transit', description: 'KMS', options: null })
      expect(mounts['kv2/']).toMatchObject({ type: 'kv', options: { version: '2' } })
      expect(mounts['kv-opt/']).toMatchObject({ type: 'kv', options: { version: '2' } })
      expect((await data('GET', 'sys/mounts/team-a/transit')).type).toBe('transit')
      expect((await data('POST', 'team-a/transit/encrypt/k', { plaintext: b64('x') })).ciphertext).toMatch(
        /^vault:v1:/,
      )
      expect((await data('POST', 'kv2/data/s', { data: { a: 'b' } })).version).toBe(1)
      await data('POST', 'kv-opt/data/s', { data: { c: 'd' } })
      expect(await data('GET', 'kv-opt/metadata?list=true')).toEqual({ keys: ['s'] })
    })

    test('refusals: a path in use, a missing or unsupported type, a version on a non-kv engine', async () => {
      await mountTransit()
      expect(await refusal('POST', 'sys/mounts/transit', { type: 'transit' })).toEqual([
        'path is already in use at transit/',
      ])
      expect(await refusal('POST', 'sys/mounts/secret', { type: 'kv-v2' })).toEqual([
        'path is already in use at secret/',
      ])
      expect(await refusal('POST', 'sys/mounts/transit/nested', { type: 'transit' })).toEqual([
        'path is already in use at transit/',
      ])
      expect(await refusal('POST', 'sys/mounts/x', {})).toEqual([
        'backend type must be specified as a string',
      ])
      expect(await refusal('POST', 'sys/mounts/x', { type: 'no-such-engine' })).toEqual([
        'plugin not found in the catalog: no-such-engine',
      ])
      expect((await refusal('POST', 'sys/mounts/x', { type: 'pki' }, 501))[0]).toBe(
        'the Testbed Vault emulator does not implement the pki secrets engine (POST sys/mounts/x); ' +
          'it emulates the transit and kv version 2 secrets engines; use a real Vault for it: VAULT_ADDR and ' +
          'VAULT_TOKEN, a container (a Docker engine; TESTBED_VAULT_IMAGE names the image) or vault/bao on PATH',
      )
      for (const v1 of [{ type: 'kv' }, { type: 'kv-v1' }, { type: 'kv', options: { version: '1' } }]) {
        expect((await refusal('POST', 'sys/mounts/x', v1, 501))[0]).toMatch(
          /^the Testbed Vault emulator does not implement kv version 1 \(POST sys\/mounts\/x\); it emulates kv version 2: mount type "kv-v2", or type "kv" with options \{"version": "2"\}; use a real Vault for it: /,
        )
      }
      expect(await refusal('POST', 'sys/mounts/x', { type: 'transit', options: { version: '2' } })).toEqual([
        'secrets engine "transit" does not allow setting a version',
      ])
    })

    test('DELETE disables a mount (204) and its routes go with it; an unknown path is 204 too', async () => {
      await mountTransit()
      await data('POST', 'transit/keys/k')
      const deleted = await vault('DELETE', 'sys/mounts/transit')
      expect([deleted.status, deleted.text]).toEqual([204, ''])
      expect((await vault('GET', 'transit/keys/k')).body).toEqual({
        errors: ['no handler for route "transit/keys/k". route entry not found.'],
      })
      expect((await vault('DELETE', 'sys/mounts/never-mounted')).status).toBe(204)
      expect(Object.keys(await data('GET', 'sys/mounts'))).not.toContain('transit/')
    })
  })

  describe('transit', () => {
    beforeEach(mountTransit)

    test('create and read a key: the fields of Read Key', async () => {
      const created = await vault('POST', 'transit/keys/orders', {
        body: { type: 'aes128-gcm96', exportable: true, allow_plaintext_backup: true },
      })
      expect(created.status).toBe(200)
      expect(created.body.mount_type).toBe('transit')
      const key = await data('GET', 'transit/keys/orders')
      expect(created.body.data).toEqual(key)
      expect(key).toMatchObject({
        name: 'orders',
        type: 'aes128-gcm96',
        latest_version: 1,
        min_decryption_version: 1,
        min_encryption_version: 0,
        min_available_version: 0,
        deletion_allowed: false,
        derived: false,
        exportable: true,
        allow_plaintext_backup: true,
        supports_encryption: true,
        supports_decryption: true,
        supports_derivation: true,
        supports_signing: false,
        auto_rotate_period: 0,
      })
      expect(Object.keys(key.keys)).toEqual(['1'])
      expect(Math.abs(key.keys['1'] - Date.now() / 1000)).toBeLessThan(5)
      expect((await data('POST', 'transit/keys/plain')).type).toBe('aes256-gcm96')
      const again = await vault('POST', 'transit/keys/orders', { body: {} })
      expect([again.status, again.body.warnings]).toEqual([200, ['key orders already existed']])
    })

    test('read or list what is not there: 404 with empty errors; list with LIST and ?list=true', async () => {
      expect((await vault('GET', 'transit/keys/missing')).body).toEqual({ errors: [] })
      expect((await vault('LIST', 'transit/keys')).status).toBe(404)
      await data('POST', 'transit/keys/b')
      await data('POST', 'transit/keys/a')
      expect(await data('LIST', 'transit/keys')).toEqual({ keys: ['a', 'b'] })
      expect(await data('GET', 'transit/keys?list=true')).toEqual({ keys: ['a', 'b'] })
    })

    test('create refusals: derived keys, unknown and unemulated types, a short auto-rotation', async () => {
      expect((await refusal('POST', 'transit/keys/d', { derived: true }, 501))[0]).toMatch(
        /^the Testbed Vault emulator does not implement derived and convergent keys \(POST transit\/keys\/d\); use a real Vault/,
      )
      expect(await refusal('POST', 'transit/keys/d', { type: 'aes512-nope' })).toEqual([
        'unknown key type aes512-nope',
      ])
      expect((await refusal('POST', 'transit/keys/d', { type: 'ed25519' }, 501))[0]).toMatch(
        /^the Testbed Vault emulator does not implement transit key type ed25519 \(POST transit\/keys\/d\); it emulates the key types aes128-gcm96, aes256-gcm96 and chacha20-poly1305; /,
      )
      expect(await refusal('POST', 'transit/keys/d', { auto_rotate_period: '10m' })).toEqual([
        'auto rotate period must be 0 to disable or at least an hour',
      ])
      expect((await data('POST', 'transit/keys/r', { auto_rotate_period: '24h' })).auto_rotate_period).toBe(
        86400,
      )
      expect((await vault('GET', 'transit/keys/d')).status).toBe(404)
    })

    test('delete: refused until deletion_allowed, then 204', async () => {
      await data('POST', 'transit/keys/k')
      expect(await refusal('DELETE', 'transit/keys/k', undefined)).toEqual([
        'error deleting policy k: deletion is not allowed for this key',
      ])
      expect((await data('POST', 'transit/keys/k/config', { deletion_allowed: true })).deletion_allowed).toBe(
        true,
      )
      const deleted = await vault('DELETE', 'transit/keys/k')
      expect([deleted.status, deleted.text]).toEqual([204, ''])
      expect((await vault('GET', 'transit/keys/k')).status).toBe(404)
      expect(await refusal('DELETE', 'transit/keys/k', undefined)).toEqual([
        'error deleting policy k: could not delete key; not found',
      ])
    })

    test('config validates versions as Vault does', async () => {
      await data('POST', 'transit/keys/k')
      expect(await refusal('POST', 'transit/keys/k/config', { min_decryption_version: 3 })).toEqual([
        'cannot set min decryption version of 3, latest key version is 1',
      ])
      await data('POST', 'transit/keys/k/rotate')
      await data('POST', 'transit/keys/k/rotate')
      expect(
        await refusal('POST', 'transit/keys/k/config', {
          min_decryption_version: 3,
          min_encryption_version: 2,
        }),
      ).toEqual([
        'cannot set min encryption/decryption values; min encryption version of 2 must be greater than or equal to min decryption version of 3',
      ])
      expect(await refusal('POST', 'transit/keys/k/config', { min_encryption_version: -1 })).toEqual([
        'min encryption version cannot be negative',
      ])
      expect((await data('GET', 'transit/keys/k')).min_decryption_version).toBe(1) // nothing applied
      expect(await refusal('POST', 'transit/keys/nope/config', { deletion_allowed: true })).toEqual([
        'no existing key named nope could be found',
      ])
      const key = await data('POST', 'transit/keys/k/config', {
        min_decryption_version: '2',
        min_encryption_version: 3,
      })
      expect(key).toMatchObject({ min_decryption_version: 2, min_encryption_version: 3, latest_version: 3 })
      expect(Object.keys(key.keys)).toEqual(['2', '3'])
    })

    test('encrypt then decrypt; the ciphertext is vault:v1:base64(nonce ‖ ciphertext ‖ tag)', async () => {
      await data('POST', 'transit/keys/k')
      const plaintext = b64('the quick brown fox')
      const encrypted = await data('POST', 'transit/encrypt/k', { plaintext })
      expect(encrypted).toEqual({
        ciphertext: expect.stringMatching(/^vault:v1:[A-Za-z0-9+/]+=*$/),
        key_version: 1,
      })
      const sealed = Buffer.from(encrypted.ciphertext.slice('vault:v1:'.length), 'base64')
      expect(sealed.length).toBe(12 + 'the quick brown fox'.length + 16)
      expect(await data('POST', 'transit/decrypt/k', { ciphertext: encrypted.ciphertext })).toEqual({
        plaintext,
      })
      const again = await data('POST', 'transit/encrypt/k', { plaintext })
      expect(again.ciphertext).not.toBe(encrypted.ciphertext) // a fresh nonce each time
      expect(await data('POST', 'transit/encrypt/k', { plaintext: '' })).toMatchObject({ key_version: 1 })
    })

    test('encrypting with a key that does not exist creates it, of the requested type', async () => {
      const encrypted = await data('POST', 'transit/encrypt/fresh', {
        plaintext: b64('x'),
        type: 'aes128-gcm96',
      })
      expect(encrypted.ciphertext).toMatch(/^vault:v1:/)
      expect((await data('GET', 'transit/keys/fresh')).type).toBe('aes128-gcm96')
      expect(await data('POST', 'transit/decrypt/fresh', encrypted)).toEqual({ plaintext: b64('x') })
    })

    test('encrypt refusals: plaintext missing or not base64', async () => {
      await data('POST', 'transit/keys/k')
      expect(await refusal('POST', 'transit/encrypt/k', {})).toEqual(['missing plaintext to encrypt'])
      expect(await refusal('POST', 'transit/encrypt/k', { plaintext: 'not base64!' })).toEqual([
        'illegal base64 data at input byte 3',
      ])
      expect(await refusal('POST', 'transit/encrypt/k', { plaintext: 'abc' })).toEqual([
        'illegal base64 data at input byte 0',
      ])
    })

    test('decrypt refusals, in Vault words', async () => {
      await data('POST', 'transit/keys/k')
      await data('POST', 'transit/keys/other')
      const { ciphertext } = await data('POST', 'transit/encrypt/other', { plaintext: b64('secret') })
      expect(await refusal('POST', 'transit/decrypt/k', { ciphertext })).toEqual([
        'cipher: message authentication failed',
      ])
      expect(await refusal('POST', 'transit/decrypt/missing', { ciphertext })).toEqual([
        'encryption key not found',
      ])
      expect(await refusal('POST', 'transit/decrypt/k', { ciphertext: 'not-a-ciphertext' })).toEqual([
        'invalid ciphertext: no prefix',
      ])
      expect(await refusal('POST', 'transit/decrypt/k', { ciphertext: 'vault:v1' })).toEqual([
        'invalid ciphertext: wrong number of fields',
      ])
      expect(await refusal('POST', 'transit/decrypt/k', { ciphertext: 'vault:v9:AAAA' })).toEqual([
        'invalid ciphertext: version is too new',
      ])
      expect(await refusal('POST', 'transit/decrypt/k', { ciphertext: 'vault:v1:***' })).toEqual([
        'invalid ciphertext: could not decode base64',
      ])
      expect(await refusal('POST', 'transit/decrypt/k', {})).toEqual(['missing ciphertext to decrypt'])
    })

    test('batch encrypt and decrypt: batch_results in order, with key_version and reference', async () => {
      await data('POST', 'transit/keys/k')
      const inputs = ['one', 'two', 'three'].map((text) => ({ plaintext: b64(text), reference: text }))
      const encrypted = await data('POST', 'transit/encrypt/k', { batch_input: inputs })
      expect(encrypted.batch_results).toEqual(
        inputs.map((input) => ({
          ciphertext: expect.stringMatching(/^vault:v1:/),
          key_version: 1,
          reference: input.reference,
        })),
      )
      const decrypted = await data('POST', 'transit/decrypt/k', {
        batch_input: encrypted.batch_results.map((r: Json) => ({ ciphertext: r.ciphertext })),
      })
      expect(decrypted.batch_results).toEqual(
        inputs.map((input) => ({ plaintext: input.plaintext, reference: '' })),
      )
    })

    test('batch: a failed item carries its error, the others their results, and the status says so', async () => {
      await data('POST', 'transit/keys/k')
      const { ciphertext } = await data('POST', 'transit/encrypt/k', { plaintext: b64('ok') })
      const mixed = await vault('POST', 'transit/decrypt/k', {
        body: { batch_input: [{ ciphertext }, { ciphertext: 'garbage' }, { ciphertext: '' }] },
      })
      expect(mixed.status).toBe(400)
      expect(mixed.body.data.batch_results).toEqual([
        { plaintext: b64('ok'), reference: '' },
        { plaintext: '', error: 'invalid ciphertext: no prefix', reference: '' },
        { plaintext: '', error: 'missing ciphertext to decrypt', reference: '' },
      ])
      const partial = await vault('POST', 'transit/encrypt/k', {
        body: {
          batch_input: [{ plaintext: b64('a') }, { plaintext: '%%%' }],
          partial_failure_response_code: 207,
        },
      })
      expect(partial.status).toBe(207)
      expect(partial.body.data.batch_results[0]).toMatchObject({
        ciphertext: expect.stringMatching(/^vault:v1:/),
      })
      expect(partial.body.data.batch_results[1]).toEqual({
        error: 'illegal base64 data at input byte 0',
        reference: '',
      })
      expect(await refusal('POST', 'transit/encrypt/k', { batch_input: [] })).toEqual([
        'missing batch input to process',
      ])
    })

    test('rotate: old ciphertexts still decrypt, new ones use v2, rewrap moves v1 to v2', async () => {
      await data('POST', 'transit/keys/k')
      const v1 = await data('POST', 'transit/encrypt/k', { plaintext: b64('before') })
      const rotated = await data('POST', 'transit/keys/k/rotate')
      expect(rotated).toMatchObject({
        latest_version: 2,
        keys: { '1': expect.any(Number), '2': expect.any(Number) },
      })
      const v2 = await data('POST', 'transit/encrypt/k', { plaintext: b64('after') })
      expect(v2).toMatchObject({ ciphertext: expect.stringMatching(/^vault:v2:/), key_version: 2 })
      expect(await data('POST', 'transit/decrypt/k', { ciphertext: v1.ciphertext })).toEqual({
        plaintext: b64('before'),
      })
      const pinned = await data('POST', 'transit/encrypt/k', { plaintext: b64('pinned'), key_version: 1 })
      expect(pinned).toMatchObject({ ciphertext: expect.stringMatching(/^vault:v1:/), key_version: 1 })

      const rewrapped = await data('POST', 'transit/rewrap/k', { ciphertext: v1.ciphertext })
      expect(rewrapped).toEqual({ ciphertext: expect.stringMatching(/^vault:v2:/), key_version: 2 })
      expect(await data('POST', 'transit/decrypt/k', rewrapped)).toEqual({ plaintext: b64('before') })
      const batch = await data('POST', 'transit/rewrap/k', { batch_input: [{ ciphertext: v1.ciphertext }] })
      expect(batch.batch_results).toEqual([
        { ciphertext: expect.stringMatching(/^vault:v2:/), key_version: 2, reference: '' },
      ])
      expect(await refusal('POST', 'transit/keys/missing/rotate', undefined)).toEqual(['key not found'])
    })

    test('min_decryption_version refuses older ciphertexts; min_encryption_version older versions', async () => {
      await data('POST', 'transit/keys/k')
      const v1 = await data('POST', 'transit/encrypt/k', { plaintext: b64('old') })
      await data('POST', 'transit/keys/k/rotate')
      await data('POST', 'transit/keys/k/config', { min_decryption_version: 2, min_encryption_version: 2 })
      expect(await refusal('POST', 'transit/decrypt/k', { ciphertext: v1.ciphertext })).toEqual([
        'ciphertext or signature version is disallowed by policy (too old)',
      ])
      expect(await refusal('POST', 'transit/rewrap/k', { ciphertext: v1.ciphertext })).toEqual([
        'ciphertext or signature version is disallowed by policy (too old)',
      ])
      expect(await refusal('POST', 'transit/encrypt/k', { plaintext: b64('x'), key_version: 1 })).toEqual([
        'requested version for encryption is less than the minimum encryption key version',
      ])
      await data('POST', 'transit/keys/k/config', { min_decryption_version: 1 })
      expect(await data('POST', 'transit/decrypt/k', { ciphertext: v1.ciphertext })).toEqual({
        plaintext: b64('old'),
      })
    })

    test('datakey: plaintext and wrapped; the ciphertext decrypts to the plaintext key', async () => {
      await data('POST', 'transit/keys/k')
      const key = await data('POST', 'transit/datakey/plaintext/k')
      expect(key).toEqual({
        plaintext: expect.any(String),
        ciphertext: expect.stringMatching(/^vault:v1:/),
        key_version: 1,
      })
      expect(Buffer.from(key.plaintext, 'base64')).toHaveLength(32)
      expect(await data('POST', 'transit/decrypt/k', { ciphertext: key.ciphertext })).toEqual({
        plaintext: key.plaintext,
      })
      const wrapped = await data('POST', 'transit/datakey/wrapped/k', { bits: 512 })
      expect(Object.keys(wrapped).sort()).toEqual(['ciphertext', 'key_version'])
      const unwrapped = await data('POST', 'transit/decrypt/k', { ciphertext: wrapped.ciphertext })
      expect(Buffer.from(unwrapped.plaintext, 'base64')).toHaveLength(64)
      const small = await data('POST', 'transit/datakey/plaintext/k', { bits: 128 })
      expect(Buffer.from(small.plaintext, 'base64')).toHaveLength(16)
      expect(await refusal('POST', 'transit/datakey/plaintext/k', { bits: 100 })).toEqual([
        'invalid bit length',
      ])
      expect(await refusal('POST', 'transit/datakey/plaintext/missing', {})).toEqual([
        'encryption key not found',
      ])
      expect(await refusal('POST', 'transit/datakey/both/k', {})).toEqual([
        "Invalid path, must be 'plaintext' or 'wrapped'",
      ])
    })
  })

  describe('kv-v2 at secret/', () => {
    test('write returns version metadata; read returns data and metadata; versions count up', async () => {
      const written = await data('POST', 'secret/data/app/db', { data: { user: 'u', password: 'p1' } })
      expect(written).toEqual({
        created_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        custom_metadata: null,
        deletion_time: '',
        destroyed: false,
        version: 1,
      })
      const second = await vault('PUT', 'secret/data/app/db', {
        body: { data: { user: 'u', password: 'p2' } },
      })
      expect([second.status, second.body.mount_type, second.body.data.version]).toEqual([200, 'kv', 2])
      expect(await data('GET', 'secret/data/app/db')).toEqual({
        data: { user: 'u', password: 'p2' },
        metadata: { ...written, created_time: expect.any(String), version: 2 },
      })
      expect((await data('GET', 'secret/data/app/db?version=1')).data).toEqual({ user: 'u', password: 'p1' })
      expect((await vault('GET', 'secret/data/app/db?version=7')).body).toEqual({ errors: [] })
      expect((await vault('GET', 'secret/data/nothing')).body).toEqual({ errors: [] })
      expect(await refusal('POST', 'secret/data/app/db', { options: {} })).toEqual(['no data provided'])
    })

    test('check-and-set: cas 0 only creates, cas N must be the current version', async () => {
      expect((await data('POST', 'secret/data/c', { options: { cas: 0 }, data: { v: 1 } })).version).toBe(1)
      expect(await refusal('POST', 'secret/data/c', { options: { cas: 0 }, data: { v: 2 } })).toEqual([
        'check-and-set parameter did not match the current version',
      ])
      expect(await refusal('POST', 'secret/data/c', { options: { cas: 5 }, data: { v: 2 } })).toEqual([
        'check-and-set parameter did not match the current version',
      ])
      expect((await data('POST', 'secret/data/c', { options: { cas: 1 }, data: { v: 2 } })).version).toBe(2)
      expect((await vault('POST', 'secret/config', { body: { cas_required: true } })).status).toBe(204)
      expect(await refusal('POST', 'secret/data/c', { data: { v: 3 } })).toEqual([
        'check-and-set parameter required for this call',
      ])
      expect(await data('GET', 'secret/config')).toEqual({
        cas_required: true,
        delete_version_after: '0s',
        max_versions: 0,
      })
    })

    test('DELETE data soft-deletes the latest version: read is 404 with its metadata', async () => {
      await data('POST', 'secret/data/d', { data: { v: 1 } })
      await data('POST', 'secret/data/d', { data: { v: 2 } })
      const deleted = await vault('DELETE', 'secret/data/d')
      expect([deleted.status, deleted.text]).toEqual([204, ''])
      const read = await vault('GET', 'secret/data/d')
      expect(read.status).toBe(404)
      expect(read.body.data).toEqual({
        data: null,
        metadata: {
          created_time: expect.any(String),
          custom_metadata: null,
          deletion_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          destroyed: false,
          version: 2,
        },
      })
      expect((await data('GET', 'secret/data/d?version=1')).data).toEqual({ v: 1 })
      expect((await vault('POST', 'secret/undelete/d', { body: { versions: [2] } })).status).toBe(204)
      expect((await data('GET', 'secret/data/d')).data).toEqual({ v: 2 })
      expect((await vault('POST', 'secret/destroy/d', { body: { versions: [1] } })).status).toBe(204)
      expect((await vault('GET', 'secret/data/d?version=1')).body.data.metadata.destroyed).toBe(true)
    })

    test('metadata: read, list (folders end with /), delete everything', async () => {
      await data('POST', 'secret/data/app/one', { data: { a: 1 } })
      await data('POST', 'secret/data/app/one', { data: { a: 2 } })
      await data('POST', 'secret/data/app/nested/two', { data: { b: 1 } })
      await data('POST', 'secret/data/top', { data: { c: 1 } })
      const metadata = await data('GET', 'secret/metadata/app/one')
      expect(metadata).toMatchObject({
        cas_required: false,
        current_version: 2,
        oldest_version: 0,
        max_versions: 0,
        delete_version_after: '0s',
        custom_metadata: null,
        created_time: expect.any(String),
        updated_time: expect.any(String),
      })
      expect(Object.keys(metadata.versions)).toEqual(['1', '2'])
      expect(metadata.versions['1']).toEqual({
        created_time: expect.any(String),
        deletion_time: '',
        destroyed: false,
      })
      expect(await data('LIST', 'secret/metadata')).toEqual({ keys: ['app/', 'top'] })
      expect(await data('LIST', 'secret/metadata/app')).toEqual({ keys: ['nested/', 'one'] })
      expect(await data('GET', 'secret/metadata/app/?list=true')).toEqual({ keys: ['nested/', 'one'] })
      expect((await vault('LIST', 'secret/metadata/nothing')).body).toEqual({ errors: [] })
      const deleted = await vault('DELETE', 'secret/metadata/app/one')
      expect([deleted.status, deleted.text]).toEqual([204, ''])
      expect((await vault('GET', 'secret/data/app/one')).body).toEqual({ errors: [] })
      expect((await vault('GET', 'secret/metadata/app/one')).status).toBe(404)
      expect(await data('LIST', 'secret/metadata/app')).toEqual({ keys: ['nested/'] })
    })

    test('PATCH data: a JSON merge patch over the latest version, as a new version; Vault refusals', async () => {
      const patch = (path: string, body: unknown, type = 'application/merge-patch+json') =>
        vault('PATCH', path, { body, headers: { 'content-type': type } })
      await data('POST', 'secret/data/p', { data: { a: 1, nested: { x: 1, y: 2 }, list: [1, 2] } })
      const patched = await patch('secret/data/p', {
        data: { a: null, nested: { y: null, z: 3 }, list: [3] },
      })
      expect([patched.status, patched.body.mount_type, patched.body.data.version]).toEqual([200, 'kv', 2])
      expect(Object.keys(patched.body.data).sort()).toEqual([
        'created_time',
        'custom_metadata',
        'deletion_time',
        'destroyed',
        'version',
      ])
      expect((await data('GET', 'secret/data/p')).data).toEqual({ nested: { x: 1, z: 3 }, list: [3] })
      const charset = await patch(
        'secret/data/p',
        { data: { b: 2 } },
        'application/merge-patch+json; charset=utf-8',
      )
      expect(charset.body.data.version).toBe(3)

      const wrongType = await patch('secret/data/p', { data: {} }, 'application/json')
      expect([wrongType.status, wrongType.body]).toEqual([
        415,
        {
          errors: ['PATCH requires Content-Type of application/merge-patch+json, provided application/json'],
        },
      ])
      const textPlain = await vault('PATCH', 'secret/data/p', { body: { data: {} } }) // fetch's default type
      expect(textPlain.body.errors).toEqual([
        'PATCH requires Content-Type of application/merge-patch+json, provided text/plain',
      ])
      const noType = await fetch(`${emulator.url}/v1/secret/data/p`, {
        method: 'PATCH',
        headers: { 'x-vault-token': ROOT },
        body: new TextEncoder().encode('{"data":{}}'),
      })
      expect([noType.status, await noType.json()]).toEqual([400, { errors: ['mime: no media type'] }])
      expect((await patch('secret/data/p', { options: {} })).body).toEqual({ errors: ['no data provided'] })
      expect((await patch('secret/data/p', { data: 'text' })).body.errors[0]).toMatch(
        /^error converting input/,
      )
      expect((await patch('secret/data/p', { options: { cas: 1 }, data: {} })).body).toEqual({
        errors: ['check-and-set parameter did not match the current version'],
      })
      expect((await patch('secret/data/p', { options: { cas: 3 }, data: { c: 1 } })).body.data.version).toBe(
        4,
      )
      const missing = await patch('secret/data/none', { data: {} })
      expect([missing.status, missing.body]).toEqual([404, { errors: [] }])
      await vault('POST', 'secret/destroy/p', { body: { versions: [4] } })
      const destroyed = await patch('secret/data/p', { data: { d: 1 } })
      expect(destroyed.status).toBe(404)
      expect(destroyed.body.data).toMatchObject({ version: 4, destroyed: true, deletion_time: '' })
      expect((await data('GET', 'secret/metadata/p')).current_version).toBe(4)
    })

    test('a kv v1-style path answers 404 with the warning to use the versioned API', async () => {
      const reply = await vault('GET', 'secret/app/db')
      expect(reply.status).toBe(404)
      expect(reply.body.data).toBeNull()
      expect(reply.body.warnings[0]).toMatch(
        /^Invalid path for a versioned K\/V secrets engine\. .*'vault kv get'/,
      )
    })
  })
})

describe('what the emulator does not implement: 501, named, unlike a mistyped path', {
  tags: ['tier2'],
}, () => {
  let emulator: VaultEmulator
  beforeEach(async () => {
    emulator = await startVaultEmulator({ rootToken: ROOT })
  })
  afterEach(async () => {
    await emulator.close()
  })

  async function answer(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${emulator.url}/v1/${path}`, {
      method,
      headers: { 'x-vault-token': ROOT, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, errors: (text ? JSON.parse(text).errors : undefined) as string[] }
  }
  const limit = (feature: string, request: string) =>
    new RegExp(
      `^the Testbed Vault emulator does not implement ${feature.replace(/[()?.]/g, '\\$&')} \\(${request}\\); use a real Vault for it: VAULT_ADDR and VAULT_TOKEN, `,
    )

  test("Vault API paths of the mounts it serves: transit, kv-v2, sys, auth/token, dev mode's other mounts", async () => {
    await answer('POST', 'sys/mounts/transit', { type: 'transit' })
    const cases: Array<[string, string, string]> = [
      ['POST', 'transit/hmac/k', "transit's HMAC"],
      ['POST', 'transit/sign/k/sha2-256', "transit's signing"],
      ['POST', 'transit/verify/k', "transit's signature and HMAC verification"],
      ['POST', 'transit/hash/sha2-512', "transit's hash"],
      ['POST', 'transit/random', "transit's random bytes"],
      ['GET', 'transit/export/encryption-key/k', "transit's key export"],
      ['GET', 'transit/backup/k', "transit's key backup"],
      ['POST', 'transit/keys/k/trim', "transit's key trim"],
      ['GET', 'transit/wrapping_key', "transit's key import"],
      ['GET', 'secret/subkeys/app', "kv-v2's subkeys"],
      ['POST', 'auth/token/create', "the token store's auth/token/create"],
      ['POST', 'auth/token/create/role-a', "the token store's auth/token/create"],
      ['POST', 'auth/token/renew-self', "the token store's auth/token/renew-self"],
      ['GET', 'auth/token/roles/x', "the token store's auth/token/roles"],
      ['GET', 'sys/policies/acl/default', 'sys/policies'],
      ['POST', 'sys/auth/approle', 'sys/auth'],
      ['GET', 'sys/mounts/secret/tune', 'tuning a mount (sys/mounts/:path/tune)'],
      ['POST', 'sys/wrapping/unwrap', 'sys/wrapping'],
      ['GET', 'cubbyhole/mine', 'the cubbyhole secrets engine'],
      ['GET', 'identity/entity/id/x', 'the identity secrets engine'],
    ]
    for (const [method, path, feature] of cases) {
      const reply = await answer(method, path, method === 'GET' ? undefined : {})
      expect(reply.status, path).toBe(501)
      expect(reply.errors[0], path).toMatch(limit(feature, `${method} ${path}`))
    }
  })

  test('what real clients send that it would otherwise ignore: wrapping, help, associated_data', async () => {
    await answer('POST', 'sys/mounts/transit', { type: 'transit' })
    await answer('POST', 'secret/data/s', { data: { a: 1 } })
    const wrapped = await answer('GET', 'secret/data/s', undefined, { 'x-vault-wrap-ttl': '60s' })
    expect([wrapped.status, wrapped.errors[0]]).toEqual([
      501,
      expect.stringMatching(limit('response wrapping (X-Vault-Wrap-TTL)', 'GET secret/data/s')),
    ])
    expect((await answer('GET', 'secret/data/s?help=1')).errors[0]).toMatch(
      limit("Vault's help text (?help=1)", 'GET secret/data/s'),
    )
    const aad = b64('bound')
    for (const [path, body] of [
      ['transit/encrypt/k', { plaintext: b64('x'), associated_data: aad }],
      [
        'transit/encrypt/k',
        { batch_input: [{ plaintext: b64('x') }, { plaintext: b64('y'), associated_data: aad }] },
      ],
      ['transit/decrypt/k', { ciphertext: 'vault:v1:AAAA', associated_data: aad }],
      ['transit/rewrap/k', { ciphertext: 'vault:v1:AAAA', associated_data: aad }],
    ] as const) {
      const reply = await answer('POST', path, body)
      expect(reply.status, path).toBe(501)
      expect(reply.errors[0]).toMatch(limit("transit's associated_data (AEAD)", `POST ${path}`))
    }
    expect((await answer('GET', 'transit/keys/k')).status).toBe(404) // refused before the upsert
  })

  test("still Vault's own answers: an unmounted prefix, a path no API has, no token, sys/init, sys/health codes", async () => {
    await answer('POST', 'sys/mounts/transit', { type: 'transit' })
    for (const path of ['pki/issue/web', 'auth/approle/login', 'transitt/hmac/k']) {
      expect(await answer('POST', path, {})).toEqual({
        status: 404,
        errors: [`no handler for route "${path}". route entry not found.`],
      })
    }
    for (const path of ['transit/hmacc/k', 'auth/token/mint', 'sys/no-such-thing']) {
      expect(await answer('POST', path, {})).toEqual({
        status: 404,
        errors: ['1 error occurred:\n\t* unsupported path\n\n'],
      })
    }
    const anonymous = await fetch(`${emulator.url}/v1/transit/hmac/k`, { method: 'POST', body: '{}' })
    expect(anonymous.status).toBe(403)
    const init = await fetch(`${emulator.url}/v1/sys/init`)
    expect([init.status, await init.json()]).toEqual([200, { initialized: true }])
    const reinit = await fetch(`${emulator.url}/v1/sys/init`, { method: 'PUT', body: '{}' })
    expect([reinit.status, await reinit.json()]).toEqual([400, { errors: ['Vault is already initialized'] }])
    const coded = await fetch(`${emulator.url}/v1/sys/health?activecode=299&standbyok=true`)
    expect([coded.status, ((await coded.json()) as Json).sealed]).toEqual([299, false])
    const head = await fetch(`${emulator.url}/v1/sys/health?activecode=204`, { method: 'HEAD' })
    expect(head.status).toBe(204)
    const bad = await fetch(`${emulator.url}/v1/sys/health?activecode=fast`)
    expect([bad.status, await bad.json()]).toEqual([400, { errors: [] }])
  })
})

describe('the emulator CLI', { tags: ['tier2'] }, () => {
  let child: ChildProcess | undefined
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
    child = undefined
  })

  test('prints one line with its address, serves, and exits cleanly on SIGTERM', async () => {
    expect(existsSync(cli), `${cli} is missing: run npx tsc --build packages/vault first`).toBe(true)
    const started = spawn(process.execPath, [cli, '--port', '0', '--token', 't'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = started
    let stdout = ''
    started.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    const url = await new Promise<string>((resolve, reject) => {
      started.stdout.on('data', () => {
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout)
        if (match) resolve(match[1] as string)
      })
      started.once('exit', (code) => reject(new Error(`the CLI exited early with ${code}`)))
    })
    const health = await fetch(`${url}/v1/sys/health`)
    expect([health.status, ((await health.json()) as Json).sealed]).toEqual([200, false])
    const self = await fetch(`${url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': 't' } })
    expect(((await self.json()) as Json).data.id).toBe('t')
    started.kill('SIGTERM')
    const [code, signal] = await once(started, 'exit')
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    expect(stdout).toBe(`listening on ${url}\n`)
  })
})
