import { execFileSync } from 'node:child_process'
import { composePluginPath } from '@testbed/test-support/compose-plugin'
import { describe, expect, test } from 'vitest'
import { findComposeCli } from '../src/node/compose/compose-cli.ts'
import { NotApplicable } from '../src/shared/errors.ts'

declare module '@testbed/core' {
  interface TestbedServices {
    /** `hostBinaries('compose_v1', ['docker-compose'])`: Debian 12's Compose 1.29, to show it is refused */
    compose_v1: true
  }
}

describe('which Compose CLI the compose provider takes', { tags: ['tier2'] }, () => {
  test('the `docker compose` plugin, v2', { tags: ['requires_compose'] }, async () => {
    const cli = await findComposeCli()
    expect(cli.command).toEqual(['docker', 'compose'])
    expect(cli.version).toMatch(/^v?2\./)
  })

  test('a standalone v2 binary (the plugin run by its path)', { tags: ['requires_compose'] }, async () => {
    const path = composePluginPath()
    const cli = await findComposeCli(path)
    expect(cli).toMatchObject({ command: [path], standalone: path })
  })

  test("Debian 12's docker-compose 1.29 is not applicable, naming its version", {
    tags: ['requires_compose_v1'],
  }, async () => {
    const path = execFileSync('sh', ['-c', 'command -v docker-compose']).toString().trim()
    const refused = await findComposeCli(path).catch((error: Error) => error)
    expect(refused).toBeInstanceOf(NotApplicable)
    expect((refused as Error).message).toMatch(
      new RegExp(
        `^${path} is Compose 1\\.29\\.\\d+; testcontainers drives Compose v2 \\(\`docker compose\`\\)$`,
      ),
    )
  })

  test('no CLI at the given path: not applicable, with the error', async () => {
    const refused = await findComposeCli('/nonexistent/docker-compose').catch((error: Error) => error)
    expect(refused).toBeInstanceOf(NotApplicable)
    expect((refused as Error).message).toMatch(
      /^no Compose v2 CLI: `\/nonexistent\/docker-compose version` failed: .*ENOENT/,
    )
  })
})
