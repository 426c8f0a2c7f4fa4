// Worker-side API: what test files and plugins' fixtures import.

export {
  BANDWIDTH_TICK_MS,
  type FaultName,
  FaultProxy,
  type ProxyStats,
} from './runtime/faults/fault-proxy.js'
export { type Faults, type FaultsFixtures, faultsFixtures } from './runtime/faults/faults-fixture.js'
export type { ProxyTarget } from './runtime/faults/proxy-target.js'
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
export { ensureServices, restartService, testbedContext } from './runtime/hub-client.js'
export type {
  EmptyState,
  Journey,
  JourneyOptions,
  StepFunction,
  StepOptions,
  StepResult,
  StepRetry,
  WithAdded,
} from './runtime/journey/journey.js'
export { journey } from './runtime/journey/journey.js'
export { testScopeId } from './runtime/test-scope-id.js'
export { describeNetworkError, fetchEndpoint } from './shared/fetch-endpoint.js'
export type { BuiltinMarker, Marker, TestbedServices } from './shared/markers.js'
export { processSingleton } from './shared/process-singleton.js'
export type { TestbedContext } from './shared/provided-context.js'
export { requirementTag, servicesRequiredBy } from './shared/requirement.js'
export type { ProviderAttempt, ProviderKind, ReadyStatus, ServiceStatus } from './shared/service-status.js'
