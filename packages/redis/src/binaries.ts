import { findBinaryDir, hostBinaries, type ServiceDefinition } from '@testbed/core/config'

const programs = ['redis-server']

/** The directory holding `redis-server`, from PATH (Debian: /usr/bin). */
export function findRedisServer(): string | undefined {
  return findBinaryDir(programs)
}

/** `redis-server` on this machine as a service: `requires_redis_server` for tests that run it directly. */
export function redisServerBinary(): ServiceDefinition<string> {
  return hostBinaries('redis_server', programs)
}
