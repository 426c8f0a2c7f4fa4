// Node-side API: what vitest.config.ts / vitest.workspace.ts and plugins' service definitions import.

export { type ComposeCli, findComposeCli } from './node/compose/compose-cli.js'
export { composeCli } from './node/compose/compose-cli-service.js'
export { composeServiceProvider } from './node/compose/compose-provider.js'
export {
  type ComposeServiceEndpoint,
  type ComposeServiceRef,
  type ComposeStack,
  type ComposeStackOptions,
  composeStack,
} from './node/compose/compose-stack.js'
export type {
  ProvidedInstance,
  Provider,
  ProviderDiagnosis,
  ServiceDefinition,
} from './node/define-service.js'
export {
  declaredService,
  defineService,
  envTimeoutMs,
  existingServerReadiness,
} from './node/define-service.js'
export {
  defaultPipelines,
  defineTestbed,
  type PipelineOptions,
  type Testbed,
  type TestbedOptions,
} from './node/define-testbed.js'
export { diagnoseContainer } from './node/diagnosis/container-diagnosis.js'
export {
  diagnoseService,
  NO_CHECK,
  type ProviderCheck,
  type ServiceDiagnosis,
} from './node/diagnosis/diagnose-service.js'
export { diagnoseDiscovery } from './node/diagnosis/discovery.js'
export {
  type DockerEngineInfo,
  dockerEngineInfo,
  dockerHasImage,
} from './node/diagnosis/docker-engine-info.js'
export { packagesFound } from './node/diagnosis/package-versions.js'
export { programsFound, programVersion } from './node/diagnosis/program-version.js'
export { redactValue, setVariables } from './node/diagnosis/redacted-variables.js'
export { dockerEngine } from './node/docker-service.js'
export {
  DEFAULT_FLAKY_OPTIONS,
  FLAKY_BUDGET,
  type FlakyOptions,
  type FlakyReport,
  flakyLines,
  flakyReport,
  type TestFlakiness,
} from './node/flakiness/flaky-report.js'
export { HistoryLockTimeout } from './node/flakiness/history-lock.js'
export type { TestOutcomeRecord } from './node/flakiness/history-record.js'
export { KEEP_DAYS_VARIABLE } from './node/flakiness/history-retention.js'
export {
  CorruptHistory,
  HISTORY_FILE,
  HISTORY_VARIABLE,
  type HistoryStore,
  type HistoryWindow,
  historyStore,
  inWindow,
  LocalHistoryStore,
  type PruneResult,
  parseHistoryLines,
} from './node/flakiness/history-store.js'
export { reportHistoryStore } from './node/flakiness/history-target.js'
export { COMMIT_VARIABLE } from './node/flakiness/run-history.js'
export { type Interval, wilsonInterval } from './node/flakiness/wilson.js'
export { type ServerProcess, unprivilegedIds } from './node/helpers/child-process.js'
export { type DockerEngine, probeDocker } from './node/helpers/docker-probe.js'
export { findBinaryDir, versionedDirs } from './node/helpers/find-binary.js'
export { assertPortFree, freePort } from './node/helpers/free-port.js'
export {
  parsePort,
  parseServiceUrl,
  redactUrl,
  type ServiceUrl,
  type ServiceUrlRules,
} from './node/helpers/service-url.js'
export { testcontainersOf } from './node/helpers/testcontainers-of.js'
export { hostBinaries } from './node/host-binaries-service.js'
export { defaultBudgets, type MarkerBudgets, type MarkerOptions, markerCatalog } from './node/markers.js'
export { servicesOfPipeline } from './node/pipeline-services.js'
export { AUDIT_FILE, type AuditEntry, auditPath, type Outcome } from './node/policy/audit-log.js'
export {
  LOCK_FILE,
  type LoadedPolicy,
  type PipelinePolicy,
  POLICY_FILE,
  type Policy,
  PolicyError,
  PolicyViolation,
} from './node/policy/policy.js'
export { policyDigest } from './node/policy/policy-digest.js'
export {
  loadPolicy,
  lockPath,
  type PolicyLock,
  policyPath,
  readLock,
  verifyLock,
  writeLock,
} from './node/policy/policy-file.js'
export { policyProblems, policySchemaPath } from './node/policy/policy-schema.js'
export { SKIP_CACHE, SKIP_CHECKS } from './node/policy/skip-variables.js'
export type { ProviderContext } from './node/provider-context.js'
export { defaultReadiness, type ReadinessPolicy, waitUntilReady } from './node/readiness.js'
export { TestbedReporter } from './node/reporter.js'
export type { ContainerPorts, PublishedPort } from './node/restartable-container.js'
export { CACHE_VARIABLE, type CacheMode, VERIFY_VARIABLE } from './node/result-cache/cache-mode.js'
export { hitReason } from './node/result-cache/cache-reporter.js'
export { LocalResultStore } from './node/result-cache/local-store.js'
export { DEFAULT_CACHE_DIR, type ResultCacheOptions } from './node/result-cache/result-cache.js'
export type { CacheEntry, CacheRecord, ResultStore } from './node/result-cache/store.js'
export { ServiceHub } from './node/service-hub.js'
export { containerImage } from './node/service-variables.js'
export { whyNotLive } from './node/up-state/liveness.js'
export { type UpReuse, upReuse } from './node/up-state/run-reuse.js'
export {
  CorruptState,
  checkoutOf,
  readState,
  removeState,
  STATE_FILE,
  statePath,
  type UpService,
  type UpState,
  writeState,
} from './node/up-state/state-file.js'
export { NotApplicable, ProbeRefused } from './shared/errors.js'
export { describeNetworkError, fetchEndpoint } from './shared/fetch-endpoint.js'
export { processAlive } from './shared/process-alive.js'
export { processSingleton } from './shared/process-singleton.js'
export type { ServiceStatus } from './shared/service-status.js'
