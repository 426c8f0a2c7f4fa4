#!/usr/bin/env node
// testbed-vault-emulator [--port N] [--host H] [--token T]: the emulator as its own process. Prints one
// line, `listening on http://<host>:<port>`, once it serves; stops on SIGINT or SIGTERM.
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { startVaultEmulator } from './vault-emulator.js'

const usage = 'usage: testbed-vault-emulator [--port N] [--host H] [--token T]'

function options() {
  try {
    const { values } = parseArgs({
      options: { port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    })
    const port = Number(values.port ?? '0')
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port: not a port: ${values.port}`)
    return { port, host: values.host, token: values.token }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`)
    process.exit(2)
  }
}

const { port, host, token: flagToken } = options()
const token =
  flagToken || process.env.VAULT_DEV_ROOT_TOKEN_ID || `hvs.${randomBytes(18).toString('base64url')}`
const emulator = await startVaultEmulator({ rootToken: token, host, port }).catch((error: unknown) => {
  process.stderr.write(
    `cannot start the Vault emulator: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
if (!flagToken && !process.env.VAULT_DEV_ROOT_TOKEN_ID) process.stderr.write(`root token: ${token}\n`)
process.stdout.write(`listening on ${emulator.url}\n`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`)
        process.exit(1)
      },
    )
  })
}
