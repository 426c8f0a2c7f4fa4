// The pipelines of this repository (Vitest ≥ 4 ignores this file name; vitest.config.ts imports it).
//   vitest --project main          the blocking pipeline: everything not enterprise, PostgreSQL required
//   vitest --project enterprise    Vault and Auth0 tests (emulated here when no real ones); optional

import { auth0 } from '@testbed/auth0/config'
import { composeCli, defineTestbed, dockerEngine, hostBinaries } from '@testbed/core/config'
import { nats, natsServerBinary } from '@testbed/nats/config'
import { postgres, postgresBinaries } from '@testbed/postgres/config'
import { redis, redisServerBinary } from '@testbed/redis/config'
import { s3 } from '@testbed/s3/config'
import { vault } from '@testbed/vault/config'
import { vaultClients } from './packages/vault/test/vault-clients.ts'

export const testbed = defineTestbed({
  services: [
    postgres({ migrations: 'examples/secure-notes/migrations' }),
    dockerEngine(),
    composeCli(),
    // Debian 12's Compose 1.29, for the test that shows the compose provider refuses it.
    hostBinaries('compose_v1', ['docker-compose']),
    postgresBinaries(),
    vault(),
    auth0(),
    nats({ streams: [{ name: 'EVENTS', subjects: ['events.>'] }] }),
    redis(),
    s3({ buckets: ['ft-cache-e2e'] }),
    natsServerBinary(),
    redisServerBinary(),
    // Real S3 clients the emulator is tested against (Debian's; /usr/bin, not pyenv's shims).
    hostBinaries('s3_clients', ['aws', 's3cmd', 'rclone']),
    // PostgreSQL's own client, which the per-test databases are tested with.
    hostBinaries('psql', ['psql']),
    vaultClients(),
  ],
  include: [
    'packages/*/src/**/*.test.ts',
    'packages/*/test/**/*.test.ts',
    'examples/*/test/**/*.test.ts',
    'test/**/*.test.ts',
  ],
  // Fixture projects are run by the tests themselves, in child processes.
  exclude: ['**/fixtures/**'],
  // CI runs this suite on one shared 2-core machine, where a real client or a nested run can take
  // several times its idle duration: integration tests get 2 minutes rather than 30 s.
  markers: { budgets: { tier2: 120_000 } },
  // A run skips the files whose pass still holds (docs/result-cache.md): readwrite locally, read in
  // CI, whose fresh clone has no store and so runs everything. TESTBED_CACHE=off runs everything.
  resultCache: {
    // What the tests reach outside their imports: the built packages (the bins they spawn, what the
    // nested runs import), the fixture projects they run and read, the docs whose examples
    // test/docs checks, the manifests, workflows and examples some tests read.
    inputs: [
      'packages/*/dist/**',
      '**/fixtures/**',
      '**/*.md',
      '**/package.json',
      '**/tsconfig*.json',
      'biome.json',
      '.github/**',
      '.ci/**',
      'examples/**',
    ],
  },
})

export default testbed.projects
