// `testbed up` in the foreground, in a child process; real clients outside Testbed (psql, redis-cli, a
// NATS client, the AWS CLI, curl) read its exports through a shell and work; Ctrl-C leaves nothing.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, test } from 'vitest'
import { alive, checkout, descendants, start, tempDirsOf } from './testbed-command.ts'

const run = promisify(execFile)
const natsPublish = fileURLToPath(new URL('./clients/nats-publish.mjs', import.meta.url))
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

// redis-cli 7.0 reads `redis://:password@` (no user name, as REDIS_URL has it) as a wrong user:
// `default` is the user that name stands for.
// biome-ignore lint/suspicious/noTemplateCurlyInString: bash's substitution, not a template
const redisCli = 'redis-cli --no-auth-warning -u "${REDIS_URL/#redis:\\/\\/:/redis://default:}"'

/** Runs `script` in bash after evaluating the exports, as a user's shell would. */
async function inShell(exports: string, script: string): Promise<string> {
  const { stdout } = await run('bash', ['-c', `set -e\neval "$EXPORTS"\n${script}`], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, EXPORTS: exports },
  })
  return stdout.trim()
}

describe('testbed up in the foreground', { tags: ['e2e'] }, () => {
  test('real clients use the exports; Ctrl-C stops everything', async () => {
    const repo = checkout()
    cleanups.push(repo.remove)
    const up = start(['up', 'postgres', 'redis', 'nats', 's3', 'vault'], repo.dir)
    cleanups.push(() => up.child.kill('SIGKILL'))
    await up.stderrMatches(/holding postgres, redis, nats, s3, vault/)
    // Vault's are the last exports (services in the order asked).
    await up.stdoutMatches(/^export VAULT_TOKEN=.*\n/m)
    const exports = up.stdout()
    expect(exports).toMatch(/^export DATABASE_URL='postgres:\/\//m)

    // The migrations of the fixture's config ran; the shared database is the one exported.
    expect(await inShell(exports, 'psql "$DATABASE_URL" -tAc "select count(*) from notes"')).toBe('0')
    expect(await inShell(exports, 'psql -tAc "select current_database()"')).toMatch(/^testbed_/)
    expect(await inShell(exports, `${redisCli} set greeting hi >/dev/null; ${redisCli} get greeting`)).toBe(
      'hi',
    )
    expect(await inShell(exports, `node ${natsPublish} orders.created`)).toMatch(/^stream=ORDERS seq=1$/)
    expect(
      await inShell(exports, 'aws s3 ls --endpoint-url "$AWS_ENDPOINT_URL_S3" --region "$AWS_REGION"'),
    ).toMatch(/\bup-uploads$/m)
    const key = await inShell(
      exports,
      'curl -sSf -H "X-Vault-Token: $VAULT_TOKEN" "$VAULT_ADDR/v1/transit/keys/up-key"',
    )
    expect(JSON.parse(key).data.name).toBe('up-key')

    // Everything it started, as seen before Ctrl-C: each is gone after it.
    const pid = up.child.pid as number
    const processes = descendants(pid)
    const dirs = tempDirsOf(processes)
    expect(processes.length).toBeGreaterThan(0)
    expect(dirs.length).toBeGreaterThan(0)
    up.child.kill('SIGINT')
    const { code, stderr } = await up.finished
    expect(stderr).toContain('SIGINT: stopping postgres, redis, nats, s3, vault')
    expect(code).toBe(0)
    // The servers are stopped before `up` exits; its reaper may still be finishing its own exit.
    await expect.poll(() => processes.filter(alive), { timeout: 30_000 }).toEqual([])
    expect(dirs.filter((d) => existsSync(d))).toEqual([])
    // Nothing secret on stderr: the display shows endpoints redacted.
    const password = /PGPASSWORD='([^']+)'/.exec(exports)?.[1] as string
    expect(stderr).not.toContain(password)
  })

  test('from containers: psql and redis-cli use the exports; Ctrl-C removes the containers', {
    tags: ['requires_docker'],
  }, async () => {
    const repo = checkout()
    cleanups.push(repo.remove)
    // No registry here: .ci/images/*.sh build these images locally from the machine's servers.
    const up = start(['up', 'postgres', 'redis'], repo.dir, {
      TESTBED_POSTGRES_PROVIDERS: 'container',
      TESTBED_REDIS_PROVIDERS: 'container',
      TESTBED_POSTGRES_IMAGE: process.env.TESTBED_POSTGRES_IMAGE ?? 'testbed/postgres:15',
      TESTBED_REDIS_IMAGE: process.env.TESTBED_REDIS_IMAGE ?? 'testbed/redis:7',
      DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
    })
    cleanups.push(() => up.child.kill('SIGKILL'))
    await up.stderrMatches(/holding postgres, redis/)
    await up.stdoutMatches(/^export DRAGONFLY_PORT=.*\n/m)
    const exports = up.stdout()
    expect(await inShell(exports, 'psql -tAc "select count(*) from notes"')).toBe('0')
    expect(await inShell(exports, `${redisCli} ping`)).toBe('PONG')
    const ports = [/^export PGPORT='(\d+)'/m, /^export DRAGONFLY_PORT='(\d+)'/m].map(
      (p) => p.exec(exports)?.[1],
    )
    const containers = await Promise.all(
      ports.map(async (port) =>
        (await run('docker', ['ps', '-q', '--filter', `publish=${port}`])).stdout.trim(),
      ),
    )
    expect(containers.every(Boolean)).toBe(true)
    up.child.kill('SIGINT')
    expect((await up.finished).code).toBe(0)
    for (const id of containers)
      expect((await run('docker', ['ps', '-aq', '--filter', `id=${id}`])).stdout.trim()).toBe('')
  })
})
