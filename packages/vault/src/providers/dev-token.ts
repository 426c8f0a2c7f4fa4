import { randomBytes } from 'node:crypto'

/** A root token for a dev-mode server Testbed starts; never printed. */
export function devRootToken(): { token: string; tokenSource: string } {
  return {
    token: `tb-${randomBytes(12).toString('hex')}`,
    tokenSource: 'the dev root token Testbed gave the server',
  }
}
