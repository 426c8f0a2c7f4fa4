// Real Vault clients on this machine as a service, for the tests that drive the emulator with them:
// `requires_vault_clients` skips those tests with the reason where a client is missing (or fails them
// where the service is required, as in CI, which installs Debian's python3-hvac).
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { defineService, NotApplicable } from '@testbed/core/config'

declare module '@testbed/core' {
  interface TestbedServices {
    /** `vaultClients()`: python3-hvac (Debian's, under /usr/bin/python3) and node-vault */
    vault_clients: true
  }
}

/** Debian's interpreter: a pyenv `python3` may come first on PATH, without hvac. */
export const HVAC_PYTHON = '/usr/bin/python3'

const run = promisify(execFile)

export function vaultClients() {
  return defineService<string>({
    name: 'vault_clients',
    description: 'python3-hvac and node-vault, real clients for the Vault emulator',
    providers: [
      {
        kind: 'binary',
        async start() {
          try {
            createRequire(import.meta.url).resolve('node-vault')
          } catch {
            throw new NotApplicable('node-vault is not installed (npm ci installs it as a devDependency)')
          }
          let version: string
          try {
            const { stdout } = await run(HVAC_PYTHON, [
              '-c',
              'import hvac, importlib.metadata as m; print(m.version("hvac"))',
            ])
            version = stdout.trim()
          } catch (error) {
            const lines = ((error as { stderr?: string }).stderr ?? '').trim().split('\n')
            const said = lines.findLast((line) => /Error/.test(line)) ?? (error as Error).message
            throw new NotApplicable(
              `${HVAC_PYTHON} cannot import hvac (apt-get install python3-hvac): ${said.trim()}`,
            )
          }
          return { connection: HVAC_PYTHON, detail: `hvac ${version} under ${HVAC_PYTHON}` }
        },
      },
    ],
    endpoint: (python) => python,
  })
}
