import type { Provider } from '../define-service.js'
import type { ComposeServiceEndpoint, ComposeServiceRef } from './compose-stack.js'

/**
 * A plugin's `compose` provider: the service `ref` names in a compose file, brought up with the rest of
 * the file, turned into the plugin's connection by `connect` (host, published port, the container's
 * environment). NotApplicable without a Docker engine or a Compose v2 CLI, so other providers follow.
 */
export function composeServiceProvider<Found>(
  ref: ComposeServiceRef,
  connect: (endpoint: ComposeServiceEndpoint) => Found,
): Provider<Found> {
  return {
    kind: 'compose',
    async start(ctx) {
      const endpoint = await ref.start(ctx)
      return { connection: connect(endpoint), detail: `${ref.file}: ${ref.service} (${endpoint.image})` }
    },
    ...(ref.diagnose && { diagnose: ref.diagnose }),
  }
}
