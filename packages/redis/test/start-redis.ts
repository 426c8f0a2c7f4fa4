// The redis service through core's hub in this process (see core's start-service.ts).
import { type Started as StartedService, startService } from '@testbed/test-support/start-service'
import type { RedisConnection } from '../src/connection.ts'
import { type RedisOptions, redis } from '../src/service.ts'

export { ready, reasonOf, stopAndCheck } from '@testbed/test-support/start-service'
export type Started = StartedService<RedisConnection>

export function startRedis(env: Record<string, string>, options: RedisOptions = {}): Promise<Started> {
  return startService(redis(options), env, /^(REDIS_URL|TESTBED_REDIS_\w+)$/)
}
