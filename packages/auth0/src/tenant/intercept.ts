import { type SetupServer, setupServer } from 'msw/node'
import type { MockTenant } from './mock-tenant.js'

export interface TenantInterception {
  /** The msw server, to add handlers of your own: `interception.server.use(...)`. */
  readonly server: SetupServer
  /** Stops intercepting: `fetch`, `http` and `XMLHttpRequest` reach the network again. */
  close(): void
  [Symbol.dispose](): void
}

let active: TenantInterception | undefined

/**
 * Answers requests to the tenants' issuers from their handlers, in the current process only (msw patches
 * this process's `fetch`, `http`/`https` and `XMLHttpRequest`); other requests go to the network.
 * An app under test in another process needs {@link serveTenant} instead.
 *
 * msw's interceptors are process-wide: while two msw servers listen, only the last one answers, and closing
 * it leaves the other deaf. Hence one interception at a time, given every tenant; a test that already runs
 * an msw server adds the tenant to it with `server.use(...tenant.handlers)` instead.
 */
export function interceptTenant(...tenants: [MockTenant, ...MockTenant[]]): TenantInterception {
  if (active) {
    throw new Error(
      'a tenant interception is already active in this process: close it first, or intercept every tenant in one interceptTenant(a, b) call',
    )
  }
  const server = setupServer(...tenants.flatMap((tenant) => tenant.handlers))
  server.listen({ onUnhandledFrame: 'bypass' })
  const close = () => {
    if (active !== interception) return
    active = undefined
    server.close()
  }
  const interception: TenantInterception = { server, close, [Symbol.dispose]: close }
  active = interception
  return interception
}
