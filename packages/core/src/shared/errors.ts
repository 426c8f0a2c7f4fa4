// The errors a provider or a probe throws to tell the hub what happened; anything else is a failure.
// They have no dependencies: the service contract (`define-service.ts`), the provider context, the
// readiness loop and the worker-side `fetchEndpoint` all import them.

/**
 * Thrown by a provider that does not apply here (nothing configured, no engine, no binary); its
 * message is the reason shown to the user. The hub tries the next provider; when none applies, the
 * service is unavailable (its tests skip, or fail where the service is required).
 */
export class NotApplicable extends Error {
  override name = 'NotApplicable'
}

/** Thrown by a probe when waiting cannot help (a wrong password, say): readiness gives up at once. */
export class ProbeRefused extends Error {
  override name = 'ProbeRefused'
}

/** Thrown by readiness when a service did not answer in time: the attempt failed. */
export class NotReady extends Error {
  override name = 'NotReady'
}
