// The postgres service through core's hub in this process (see core's start-service.ts).
import { type Started as StartedService, startService } from '@testbed/test-support/start-service'
import type { PostgresConnection } from '../src/connection.ts'
import { type PostgresOptions, postgres } from '../src/service.ts'

export { ready, reasonOf, stopAndCheck } from '@testbed/test-support/start-service'
export type Started = StartedService<PostgresConnection>

export function startPostgres(env: Record<string, string>, options: PostgresOptions = {}): Promise<Started> {
  return startService(postgres(options), env, /^(DATABASE_URL|PG\w+|TESTBED_POSTGRES_PROVIDERS)$/)
}
