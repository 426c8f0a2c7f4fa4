import { randomBytes } from 'node:crypto'

/** A password for a server Testbed starts; never printed. */
export function serverPassword(): { password: string; passwordSource: string } {
  return {
    password: `tb-${randomBytes(12).toString('hex')}`,
    passwordSource: 'the password Testbed gave the server',
  }
}
