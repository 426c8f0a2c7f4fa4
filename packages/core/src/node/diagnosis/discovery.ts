import { NotApplicable } from '../../shared/errors.js'
import { reasonFromError } from '../../shared/service-status.js'
import type { ProviderDiagnosis } from '../define-service.js'

/**
 * A provider's diagnosis from the discovery its `start` does (reading variables, finding binaries):
 * `NotApplicable` is "not applicable" with its reason, as a run would skip it; any other error means
 * the provider applies but would fail as configured. `found` is what is shown either way.
 */
export async function diagnoseDiscovery<T>(
  discover: () => T | Promise<T>,
  describe: (discovered: T) => ProviderDiagnosis | Promise<ProviderDiagnosis>,
  found?: Record<string, string>,
): Promise<ProviderDiagnosis> {
  let discovered: T
  try {
    discovered = await discover()
  } catch (error) {
    const reason = reasonFromError(error)
    if (error instanceof NotApplicable) return { applicable: false, reason, ...(found && { found }) }
    return {
      applicable: true,
      reason: 'configured, but starting it would fail',
      problem: reason,
      ...(found && { found }),
    }
  }
  return describe(discovered)
}
