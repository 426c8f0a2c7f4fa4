// The enterprise pair: Vault emulator encrypt+decrypt round trips per second over loopback HTTP
// (one client, and eight at once), Auth0 token minting per second, and the enterprise pipeline's
// cold start (PostgreSQL + Vault + Auth0 on the embedded defaults) to its first test, median of 3.
//   node bench/enterprise.ts
import { fileURLToPath } from 'node:url'
import { MockTenant } from '@testbed/auth0/tenant'
import { startVaultEmulator } from '@testbed/vault/emulator'
import { runVitest } from './nested-vitest.ts'
import { finish, median, report } from './stats.ts'

async function perSecond(seconds: number, work: () => Promise<unknown>, concurrency = 1): Promise<number> {
  let done = 0
  const until = performance.now() + seconds * 1000
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await work()
        done++
      }
    }),
  )
  return done / seconds
}

const emulator = await startVaultEmulator({ rootToken: 'bench' })
const call = async (path: string, body: object) => {
  const response = await fetch(`${emulator.url}/v1/${path}`, {
    method: 'POST',
    headers: { 'x-vault-token': 'bench', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text() // 204 has no body
  return (text ? JSON.parse(text) : {}) as { data: Record<string, string> }
}
await call('sys/mounts/transit', { type: 'transit' })
const roundTrip = async () => {
  const { data } = await call('transit/encrypt/bench', {
    plaintext: Buffer.from('sensitive data').toString('base64'),
  })
  await call('transit/decrypt/bench', { ciphertext: data.ciphertext })
}
await roundTrip()
const vaultOne = await perSecond(3, roundTrip)
const vaultEight = await perSecond(3, roundTrip, 8)
await emulator.close()

const tenant = await MockTenant.create({
  issuer: 'https://testbed.auth0.com/',
  audience: 'https://api.testbed.test/',
})
await tenant.token()
const tokens = await perSecond(3, () => tenant.token({ sub: 'auth0|bench', scope: 'read:notes' }))

const root = fileURLToPath(new URL('./projects/enterprise-cold-start/', import.meta.url))
const cold: number[] = []
for (let round = 0; round < 3; round++) {
  const run = await runVitest(root, ['--project', 'enterprise'], { TESTBED_POSTGRES_PROVIDERS: 'embedded' })
  const at = /FIRST_TEST_AT (\d+)/.exec(run.output)
  if (run.code !== 0 || !at) throw new Error(`enterprise run failed:\n${run.output}`)
  cold.push(Number(at[1]) - run.spawnedAt)
}

report('enterprise pair', [
  { measure: 'Vault emulator encrypt+decrypt round trips/s, 1 client', value: vaultOne.toFixed(0) },
  { measure: 'Vault emulator encrypt+decrypt round trips/s, 8 clients', value: vaultEight.toFixed(0) },
  { measure: 'Auth0 tokens minted/s (RS256)', value: tokens.toFixed(0) },
  {
    measure: 'enterprise pipeline cold start to first test, ms (median of 3)',
    value: median(cold).toFixed(0),
  },
])
finish('enterprise', { rounds: 3 })
