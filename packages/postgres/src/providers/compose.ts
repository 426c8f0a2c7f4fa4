import { type ComposeServiceRef, composeServiceProvider, type Provider } from '@testbed/core/config'
import type { PostgresFound } from '../connection.js'

/**
 * A service of a compose file (`postgres({ compose: stack.service('postgres') })`): its published
 * 5432, and the user, password and database the official image's variables gave it.
 */
export function composeProvider(ref: ComposeServiceRef): Provider<PostgresFound> {
  return composeServiceProvider(ref, ({ host, port, environment }) => {
    const user = environment.POSTGRES_USER || 'postgres'
    return {
      host,
      port: port(5432),
      user,
      password: environment.POSTGRES_PASSWORD ?? '',
      database: environment.POSTGRES_DB || user,
      // Brought down with its volumes at the run's end: nobody else's data lives there.
      throwaway: true,
    }
  })
}
