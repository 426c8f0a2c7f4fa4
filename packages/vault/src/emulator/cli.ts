#!/usr/bin/env node
// testbed-vault-emulator [--port N] [--host H] [--token T]: the emulator as its own process. Prints one
// line, `listening on http://<host>:<port>`, once it serves; stops on SIGINT or SIGTERM. Without a token
// (--token or VAULT_DEV_ROOT_TOKEN_ID) it makes one and prints `root token: <token>` on stderr.
import { randomBytes } from 'node:crypto'
import { runEmulatorCli } from '@testbed/core/standalone'
import { startVaultEmulator } from './vault-emulator.js'

await runEmulatorCli({
  command: 'testbed-vault-emulator',
  service: 'Vault',
  usage: '[--token T]',
  options: { token: { type: 'string' } },
  configure: (values, { port, host }) => {
    const given = values.token || process.env.VAULT_DEV_ROOT_TOKEN_ID
    return { port, host, rootToken: given || `hvs.${randomBytes(18).toString('base64url')}`, made: !given }
  },
  start: async ({ made, ...options }) => {
    const emulator = await startVaultEmulator(options)
    if (made) process.stderr.write(`root token: ${options.rootToken}\n`)
    return emulator
  },
})
