// Worker-side API: what test files and plugins' fixtures import.

export {
  type BuiltFixtures,
  type ComposedContext,
  composeFixtures,
  defineFixtureSet,
  type FixtureSet,
  type FixturesOf,
} from './runtime/fixture-set.js'
export {
  gateTest,
  ServiceUnavailableError,
  serviceForScope,
  useConnection,
  useService,
} from './runtime/gate.js'
export { ensureServices, testbedContext } from './runtime/hub-client.js'
export { testScopeId } from './runtime/test-scope-id.js'
export { describeNetworkError, fetchEndpoint } from './shared/fetch-endpoint.js'
export type { BuiltinMarker, Marker, TestbedServices } from './shared/markers.js'
export { processSingleton } from './shared/process-singleton.js'
export type { TestbedContext } from './shared/provided-context.js'
export { requirementTag, servicesRequiredBy } from './shared/requirement.js'
export type { ProviderAttempt, ProviderKind, ReadyStatus, ServiceStatus } from './shared/service-status.js'
