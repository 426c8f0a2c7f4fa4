// Time a run spends resolving when no service can be had: PostgreSQL with no DATABASE_URL and no
// Docker engine (its binary and embedded providers switched off, as on a machine without them), and
// two declared services with no plugin. In-process, through the hub, p50/p95 over 30 resolutions.
//   node bench/resolve-unavailable.ts
import { declaredService, ServiceHub } from '@testbed/core/config'
import { postgres } from '@testbed/postgres/config'
import { finish, percentiles, report } from './stats.ts'

delete process.env.DATABASE_URL
delete process.env.PGHOST
process.env.TESTBED_POSTGRES_PROVIDERS = 'env,container'
const samples: number[] = []
for (let i = 0; i < 30; i++) {
  process.env.DOCKER_HOST = `unix:///tmp/testbed-bench-no-docker-${i}.sock` // a fresh probe each time
  const hub = new ServiceHub()
  hub.register(postgres())
  hub.register(declaredService('vault', 'no plugin'))
  hub.register(declaredService('auth0', 'no plugin'))
  const start = performance.now()
  const statuses = await hub.ensure(['postgres', 'vault', 'auth0'])
  samples.push(performance.now() - start)
  if (Object.values(statuses).some((s) => s.state === 'ready'))
    throw new Error('expected nothing to be available')
  await hub.stopAll()
}
report('resolving three unavailable services (ms)', [{ ...percentiles(samples) }])
finish('resolve-unavailable')
